"""The admin API: how union volunteers and staff reach Sathi."""
