terraform {
  required_version = ">= 1.5.0"

  # State is local by default. `make init BACKEND=<file>` replaces this with S3 (README,
  # "Remote state"); runs against a local AWS give the file's path to `init`.
  backend "local" {}

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # Pinned: the release this configuration is tested with. It rejects python3.13
      # and later; see README, "Terraform" for the release each runtime needs.
      version = "5.46.0"
    }
  }
}
