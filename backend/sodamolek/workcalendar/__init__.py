"""Working days: national holidays and cuti bersama, and the admin's local closures."""
