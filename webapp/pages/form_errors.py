"""A service's violations shown on the form that was posted: beside their fields, or above the form."""

from collections.abc import Iterable, Mapping

from webapp.services.errors import Violation


def put_errors(form, violations: Iterable[Violation], aliases: Mapping[str, str] | None = None) -> None:
    """Each violation beside its field, once (`aliases` names the field where the service calls it otherwise);
    one the form has no field for goes to the form's own errors."""
    for violation in violations:
        name = (aliases or {}).get(violation.field, violation.field)
        field = form._fields.get(name)
        if field is None:
            form.form_errors.append(violation.message)
        elif violation.message not in field.errors:
            field.errors = [*field.errors, violation.message]
