# Another team's repository, in miniature: it takes both modules from the platform team's
# repository by a git source pinned to a release tag, publishes one layer of its own, and
# attaches it together with a layer the platform team shares by version ARN.

terraform {
  required_version = ">= 1.5.0"

  backend "local" {}

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.46.0, < 7.0.0"
    }
  }
}

provider "aws" {
  region = var.region
}

variable "region" {
  type        = string
  description = "The AWS region of the function and its layers."
  default     = "us-east-1"
}

variable "shared_layer_arn" {
  type        = string
  description = "A layer version the platform team shares with this account, e.g. its boto3 layer: arn:aws:lambda:<region>:<account>:layer:<name>:<version>."

  validation {
    condition     = can(regex("^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:[0-9]{12}:layer:[A-Za-z0-9_-]+:[0-9]+$", var.shared_layer_arn))
    error_message = "shared_layer_arn must be a layer version ARN, arn:aws:lambda:<region>:<account>:layer:<name>:<version>."
  }
}

module "greeting_layer" {
  #checkov:skip=CKV_TF_1:pinned to a release tag, which the CHANGELOG documents and which is never moved; a hash says less to a reader
  source = "git::https://example.com/platform/lambda-layers.git//modules/lambda-layer?ref=modules-v1.2.0"

  name                     = "greeting"
  filename                 = "${path.module}/greeting.zip"
  source_code_hash         = filebase64sha256("${path.module}/greeting.zip")
  compatible_runtimes      = ["python3.12", "python3.13"]
  compatible_architectures = ["x86_64", "arm64"]
  unzipped_size            = 45
}

module "greeter" {
  #checkov:skip=CKV_TF_1:pinned to a release tag, as above
  source = "git::https://example.com/platform/lambda-layers.git//modules/lambda-function?ref=modules-v1.2.0"

  name             = "greeter"
  filename         = "${path.module}/function.zip"
  source_code_hash = filebase64sha256("${path.module}/function.zip")
  runtime          = "python3.13"
  handler          = "handler.handle"

  # Merge order: the shared layer first, this team's own layer over it.
  layers = [var.shared_layer_arn, module.greeting_layer.attachment]

  # Since modules-v1.2.0: keep its logs two weeks, and greet every hour through the alias live.
  log_retention_days = 14
  schedules          = { hourly = { expression = "rate(1 hour)" } }
}

output "function_arn" {
  description = "The function's ARN."
  value       = module.greeter.arn
}

output "alias_arn" {
  description = "What the schedule invokes: the function's alias live."
  value       = module.greeter.alias_arn
}

output "layers" {
  description = "The function's layer version ARNs in merge order."
  value       = module.greeter.layers
}
