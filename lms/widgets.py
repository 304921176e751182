"""Form widgets shared by the apps."""

from django import forms


class PhoneInput(forms.TextInput):
    """A phone number: phones open their numeric keypad, browsers offer the saved number."""

    input_type = "tel"

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "numeric", "autocomplete": "tel", **(attrs or {})})
