# Publishes a layer and creates a function that attaches it, with its own role.

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
  description = "The AWS region to create the function in."
  default     = "us-east-1"
}

module "greeting_layer" {
  source = "../../../lambda-layer"

  name                     = "greeting"
  filename                 = "${path.module}/layer.zip"
  source_code_hash         = filebase64sha256("${path.module}/layer.zip")
  compatible_runtimes      = ["python3.12"]
  compatible_architectures = ["x86_64", "arm64"]
}

module "hello" {
  source = "../.."

  name             = "hello"
  filename         = "${path.module}/function.zip"
  source_code_hash = filebase64sha256("${path.module}/function.zip")
  runtime          = "python3.12"
  handler          = "handler.handle"
  architecture     = "arm64"
  memory_size      = 256
  timeout          = 10
  environment      = { LOG_LEVEL = "INFO" }

  layers = [{
    arn                      = module.greeting_layer.version_arn
    compatible_runtimes      = module.greeting_layer.compatible_runtimes
    compatible_architectures = module.greeting_layer.compatible_architectures
  }]
}

output "function_arn" {
  description = "The function's ARN."
  value       = module.hello.arn
}

output "layers" {
  description = "The function's layers in merge order."
  value       = module.hello.layers
}
