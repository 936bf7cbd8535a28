"""Demo company "Brenner Wärmetechnik GmbH": generator and the ``kundenversteher demo`` command.

It sits at the top layer because it fills every app's tables through their services.
"""
