"""Field mapping (the seeds' "De > Para"): declared per integration, checked at config load."""
