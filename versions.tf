terraform {
  required_version = ">= 1.5.0"

  # State is local by default. `make init BACKEND=<file>` replaces this with S3 (README,
  # "Remote state"); runs against a local AWS give the file's path to `init`.
  backend "local" {}

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # The range this configuration is tested on; the exact release lives in the
      # dependency lock file. python3.13 needs 5.76.0 or later from the registry, and
      # python3.14 6.20.0 or later (docs/terraform.md, "Versions").
      version = ">= 5.46.0, < 7.0.0"
    }
  }
}
