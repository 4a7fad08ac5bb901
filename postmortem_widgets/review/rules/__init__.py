"""The reviewer's rules, one module per family; each is ``check_x(ctx) -> list[Finding]``."""
