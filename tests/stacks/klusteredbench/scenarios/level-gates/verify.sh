kb_app_ok v2
