"""NTM: monitoring of the New Rural Development (Nông thôn mới) and OCOP programmes."""
