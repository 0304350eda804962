# Two functions for production that share one layer: one runs on a schedule, one consumes a
# queue. Each keeps its logs 14 days and is published behind the alias live, which its
# trigger invokes; the queue consumer's role may read that queue and no other.

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
  description = "The AWS region to create the functions in."
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

resource "aws_sqs_queue" "orders" {
  #checkov:skip=CKV_AWS_27:an example queue; a real one names its own KMS key
  name                    = "orders"
  sqs_managed_sse_enabled = true
}

module "nightly" {
  source = "../.."

  name               = "nightly"
  filename           = "${path.module}/function.zip"
  source_code_hash   = filebase64sha256("${path.module}/function.zip")
  runtime            = "python3.12"
  handler            = "handler.handle"
  layers             = [module.greeting_layer.attachment]
  log_retention_days = 14

  schedules = {
    nightly = { expression = "cron(0 3 * * ? *)", event = jsonencode({ task = "sweep" }) }
  }
}

module "orders" {
  source = "../.."

  name               = "orders"
  filename           = "${path.module}/function.zip"
  source_code_hash   = filebase64sha256("${path.module}/function.zip")
  runtime            = "python3.12"
  handler            = "handler.handle"
  layers             = [module.greeting_layer.attachment]
  log_retention_days = 14
  timeout            = 30

  sqs_triggers = {
    orders = { queue_arn = aws_sqs_queue.orders.arn, batch_size = 10, partial_batch_responses = true }
  }
}

output "nightly_alias_arn" {
  description = "What the schedule invokes: the nightly function's alias live."
  value       = module.nightly.alias_arn
}

output "orders_alias_arn" {
  description = "What the queue's messages invoke: the orders function's alias live."
  value       = module.orders.alias_arn
}

output "log_groups" {
  description = "The functions' log groups."
  value       = [module.nightly.log_group_name, module.orders.log_group_name]
}
