"""`python -m organizations.parse_upload`: the child process that parses an uploaded
member list (organizations.imports.child). Django is set up before the import package is loaded."""

if __name__ == "__main__":
    import sys

    import django

    django.setup()
    from organizations.imports.child import main

    sys.exit(main())
