locals {
  via_s3 = var.s3_bucket != null

  # Every layer as one shape, in merge order. A plain ARN's runtimes and architectures come
  # from AWS; its size is unknown. `label` names a layer in messages with what is known at
  # plan (its merge position, and its name when given), since a new version's ARN is not.
  layers = [
    for i, l in var.layers : {
      arn   = try(l.arn, l)
      label = !can(keys(l)) ? "layer ${i + 1} (${l})" : try(l.name, null) == null ? "layer ${i + 1}" : "layer ${i + 1} (${l.name})"
      compatible_runtimes = (can(keys(l)) ? try(tolist(l.compatible_runtimes), [])
      : tolist(data.aws_lambda_layer_version.given[tostring(i)].compatible_runtimes))
      compatible_architectures = (can(keys(l)) ? try(tolist(l.compatible_architectures), [])
      : tolist(data.aws_lambda_layer_version.given[tostring(i)].compatible_architectures))
      unzipped_size = try(l.unzipped_size, null)
    }
  ]

  # Lambda refuses code plus layers over this many bytes unzipped ("must be smaller than 262144000 bytes").
  max_unzipped_bytes = 262144000
  known_sizes        = concat(var.unzipped_size == null ? [] : [var.unzipped_size], [for l in local.layers : l.unzipped_size if l.unzipped_size != null])
  unzipped_total     = sum(concat([0], local.known_sizes))
  sizes_unknown      = var.unzipped_size == null || anytrue([for l in local.layers : l.unzipped_size == null])

  # An empty list means the layer declares nothing, so there is nothing to check.
  mismatched_layers = [
    for l in local.layers : l.label
    if(length(l.compatible_runtimes) > 0 && !contains(l.compatible_runtimes, var.runtime)) ||
    (length(l.compatible_architectures) > 0 && !contains(l.compatible_architectures, var.architecture))
  ]
  other_region_layers = [
    for l in local.layers : "${l.label} in ${split(":", l.arn)[3]}" if split(":", l.arn)[3] != data.aws_region.current.name
  ]

  role_arn = var.role_arn != null ? var.role_arn : aws_iam_role.this[0].arn
}

data "aws_region" "current" {}

# A layer given as a plain version ARN: this proves at plan that the version exists (and
# may be attached from here), and gives its runtimes and architectures for the checks.
data "aws_lambda_layer_version" "given" {
  for_each = { for i, l in var.layers : tostring(i) => l if !can(keys(l)) }

  layer_name = regex("^(.+):[0-9]+$", each.value)[0]
  version    = tonumber(regex(":([0-9]+)$", each.value)[0])
}

data "aws_partition" "current" {}

data "aws_iam_policy_document" "assume_role" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  count = var.role_arn == null ? 1 : 0

  name               = var.name
  assume_role_policy = data.aws_iam_policy_document.assume_role.json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "managed" {
  for_each = toset(var.role_arn == null ? var.managed_policies : [])

  role       = aws_iam_role.this[0].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/${each.value}"
}

# Before 1.1 of these modules the one managed policy was a single attachment; this keeps it in place.
moved {
  from = aws_iam_role_policy_attachment.logs[0]
  to   = aws_iam_role_policy_attachment.managed["service-role/AWSLambdaBasicExecutionRole"]
}

data "aws_iam_policy_document" "permissions" {
  count = var.role_arn == null && length(var.policy_statements) > 0 ? 1 : 0

  dynamic "statement" {
    for_each = var.policy_statements
    content {
      actions   = statement.value.actions
      resources = statement.value.resources

      dynamic "condition" {
        for_each = statement.value.conditions
        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }
}

resource "aws_iam_role_policy" "permissions" {
  count = length(data.aws_iam_policy_document.permissions)

  name   = "permissions"
  role   = aws_iam_role.this[0].id
  policy = data.aws_iam_policy_document.permissions[0].json
}

resource "aws_s3_object" "zip" {
  count = local.via_s3 ? 1 : 0

  bucket      = var.s3_bucket
  key         = coalesce(var.s3_key, "lambda-functions/${var.name}/${basename(var.filename)}")
  source      = var.filename
  source_hash = var.source_code_hash
  tags        = var.tags
}

resource "aws_lambda_function" "this" {
  # These checks ask for choices that belong to the caller, not to a module every function uses:
  #checkov:skip=CKV_AWS_50:X-Ray tracing costs per trace and needs xray:Put* on the role; enable it where it pays
  #checkov:skip=CKV_AWS_115:reserved concurrency caps a function and takes from the account's pool; size it per function
  #checkov:skip=CKV_AWS_116:a dead-letter queue serves asynchronous invocations only; add one where they happen
  #checkov:skip=CKV_AWS_117:a VPC is for functions that reach private resources; the shipped ones call AWS APIs only
  #checkov:skip=CKV_AWS_173:Lambda encrypts environment variables at rest with an AWS key; secrets belong in Secrets Manager
  #checkov:skip=CKV_AWS_272:code signing needs a signing profile the caller owns; zips here are identified by their sha256
  function_name    = var.name
  role             = local.role_arn
  runtime          = var.runtime
  handler          = var.handler
  architectures    = [var.architecture]
  memory_size      = var.memory_size
  timeout          = var.timeout
  layers           = [for l in local.layers : l.arn]
  source_code_hash = var.source_code_hash
  tags             = var.tags

  filename          = local.via_s3 ? null : var.filename
  s3_bucket         = local.via_s3 ? aws_s3_object.zip[0].bucket : null
  s3_key            = local.via_s3 ? aws_s3_object.zip[0].key : null
  s3_object_version = local.via_s3 ? try(coalesce(aws_s3_object.zip[0].version_id), null) : null

  dynamic "environment" {
    for_each = length(var.environment) > 0 ? [var.environment] : []
    content {
      variables = environment.value
    }
  }

  lifecycle {
    precondition {
      condition     = local.unzipped_total <= local.max_unzipped_bytes
      error_message = "Function ${var.name}: code and layers are ${local.unzipped_total} bytes unzipped${local.sizes_unknown ? " (counting only the sizes known)" : ""}, over Lambda's limit of ${local.max_unzipped_bytes} bytes; detach a layer or make one smaller."
    }

    precondition {
      condition     = length(local.mismatched_layers) == 0
      error_message = "Function ${var.name} runs ${var.runtime} on ${var.architecture}, but these layers do not declare both: ${join(", ", local.mismatched_layers)}; attach a version built for them, or change the function's runtime or architecture."
    }

    precondition {
      condition     = var.role_arn == null || length(var.policy_statements) == 0
      error_message = "Function ${var.name} is given both role_arn and policy_statements, but the module manages no policy on a role it does not own; give those permissions to that role where it is defined, or drop role_arn so the module creates the role with them."
    }

    precondition {
      condition     = length(local.other_region_layers) == 0
      error_message = "Function ${var.name} is in ${data.aws_region.current.name}, but Lambda attaches layers from the same region only: ${join(", ", local.other_region_layers)}; attach a version published in ${data.aws_region.current.name}."
    }
  }

  # The role must hold its policies before the function can first run with it.
  depends_on = [aws_iam_role_policy_attachment.managed, aws_iam_role_policy.permissions]
}
