from profile_editor.app import main

raise SystemExit(main())
