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

variable "platform_state" {
  type = object({
    backend = string
    config  = map(string)
  })
  description = "Where the platform team's root configuration keeps its state, with one workspace per region, e.g. { backend = \"s3\", config = { bucket = \"platform-terraform-state\", key = \"lambda-layers/terraform.tfstate\", region = \"eu-west-1\" } }."
}

variable "shared_layer" {
  type        = string
  description = "The platform team's layer to attach, by its key in the platform's layer_versions output, e.g. \"boto3\"."
  default     = "boto3"
  nullable    = false
}

# The platform team publishes each layer in every region it declares, each region in its
# own workspace: this reads the one of this configuration's own region, so the version
# attached is always that region's, and no ARN is copied.
data "terraform_remote_state" "platform" {
  backend   = var.platform_state.backend
  config    = var.platform_state.config
  workspace = var.region

  lifecycle {
    postcondition {
      condition     = can(self.outputs.layer_versions[var.shared_layer].arn)
      error_message = "The platform's state for ${var.region} publishes no layer ${var.shared_layer} (it has: ${join(", ", keys(try(self.outputs.layer_versions, {})))}); ask the platform team to declare that region for it."
    }
  }
}

locals {
  shared_layer_arn = data.terraform_remote_state.platform.outputs.layer_versions[var.shared_layer].arn
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
  layers = [local.shared_layer_arn, module.greeting_layer.attachment]

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
