# Publishes a small pure-Python layer for both architectures and shares it with one account.

terraform {
  required_version = ">= 1.5.0"

  backend "local" {}

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.46.0"
    }
  }
}

provider "aws" {
  region = var.region
}

variable "region" {
  type        = string
  description = "The AWS region to publish the layer in."
  default     = "us-east-1"
}

variable "consumer_account_id" {
  type        = string
  description = "The account that may attach the layer."
  default     = "111111111111"
}

module "greeting_layer" {
  source = "../.."

  name                     = "greeting"
  filename                 = "${path.module}/layer.zip"
  source_code_hash         = filebase64sha256("${path.module}/layer.zip")
  description              = "greet(name), for every function that says hello"
  license_info             = "MIT"
  compatible_runtimes      = ["python3.12"]
  compatible_architectures = ["x86_64", "arm64"]
  shared_with_accounts     = [var.consumer_account_id]
}

output "version_arn" {
  description = "The published version's ARN."
  value       = module.greeting_layer.version_arn
}

output "statement_ids" {
  description = "The version's grants."
  value       = module.greeting_layer.statement_ids
}
