"""The `token` command: why API Gateway would accept or reject one token on one method."""
