# A hub function whose role may assume one role in a spoke account, and that spoke role,
# which trusts only the hub's role. Both sides are needed: the hub's identity policy
# (policy_statements) and the spoke role's trust policy.

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

# The hub account, where the function runs.
provider "aws" {
  region = var.region
}

# The spoke account, reached the way an organization's management account reaches a
# member account: through the role AWS Organizations created there.
provider "aws" {
  alias  = "spoke"
  region = var.region

  assume_role {
    role_arn = "arn:aws:iam::${var.spoke_account_id}:role/${var.spoke_admin_role}"
  }
}

variable "region" {
  type        = string
  description = "The AWS region of the hub function."
  default     = "us-east-1"
}

variable "spoke_account_id" {
  type        = string
  description = "The spoke account's 12-digit ID."
  default     = "111111111111"

  validation {
    condition     = can(regex("^[0-9]{12}$", var.spoke_account_id))
    error_message = "spoke_account_id must be 12 digits; got \"${var.spoke_account_id}\"."
  }
}

variable "spoke_admin_role" {
  type        = string
  description = "The role Terraform assumes in the spoke account to create the spoke role there."
  default     = "OrganizationAccountAccessRole"
}

locals {
  spoke_role_name = "hub-access"
  spoke_role_arn  = "arn:aws:iam::${var.spoke_account_id}:role/${local.spoke_role_name}"
}

module "hub" {
  source = "../.."

  name             = "hub"
  filename         = "${path.module}/../basic/function.zip"
  source_code_hash = filebase64sha256("${path.module}/../basic/function.zip")
  runtime          = "python3.12"
  handler          = "handler.handle"
  environment      = { SPOKE_ROLE_ARN = local.spoke_role_arn }

  # The hub may assume the spoke role, and nothing else.
  policy_statements = [{
    actions   = ["sts:AssumeRole"]
    resources = [local.spoke_role_arn]
  }]
}

data "aws_iam_policy_document" "trust_the_hub" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = [module.hub.role_arn]
    }
  }
}

# In the spoke account: a role only the hub's role may assume. Give it what the hub does
# there (here, reading the account's identity needs nothing).
resource "aws_iam_role" "spoke" {
  provider = aws.spoke

  name               = local.spoke_role_name
  assume_role_policy = data.aws_iam_policy_document.trust_the_hub.json
}

output "hub_role_arn" {
  description = "The hub function's execution role, which the spoke role trusts."
  value       = module.hub.role_arn
}

output "spoke_role_arn" {
  description = "The role in the spoke account that the hub may assume."
  value       = aws_iam_role.spoke.arn
}
