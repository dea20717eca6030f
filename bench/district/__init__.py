"""A synthetic district run against the running platform, through its public HTTP API only, with a
plain-pika subscriber for another department, an invariant checker and a chaos mode (issue 8)."""
