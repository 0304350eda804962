terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # Pinned: the release this configuration is tested with. It rejects python3.13
      # and later; see README, "Terraform" for the release each runtime needs.
      version = "5.46.0"
    }
  }
}
