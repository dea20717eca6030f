"""The enforcement service's domain: pure Python rules and state machines (no nameko, SQLAlchemy or AMQP)."""
