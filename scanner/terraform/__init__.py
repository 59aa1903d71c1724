"""`scan --terraform` and `--terraform-plan`: a Terraform configuration or plan read into the snapshot a live scan
collects, each record with the block the user wrote (file, address, line)."""
