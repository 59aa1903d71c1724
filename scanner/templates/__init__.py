"""Templates before they ship: CloudFormation, SAM and CDK read into the snapshot an account scan makes."""
