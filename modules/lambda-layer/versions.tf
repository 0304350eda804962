terraform {
  # Terraform >= 1.5 or OpenTofu >= 1.8: optional() defaults, terraform_data,
  # replace_triggered_by and preconditions all exist in both.
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 5.46.0 is the release this module is tested with. python3.13 needs 5.76.0
      # or later, and python3.14 needs 6.20.0 or later (see README).
      version = ">= 5.46.0"
    }
  }
}
