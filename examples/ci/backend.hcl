# The S3 backend for `make init BACKEND=examples/ci/backend.hcl`: a partial configuration.
# The bucket is set up once (docs/terraform.md, "Remote state"); use_lockfile needs
# Terraform or OpenTofu 1.10 or later, and no DynamoDB table.
bucket       = "platform-terraform-state"
key          = "lambda-layers/terraform.tfstate"
region       = "eu-west-1"
encrypt      = true
use_lockfile = true
