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

  # Triggers invoke the alias live when versions are published, so a rollback of the alias reaches them.
  qualifier  = var.publish ? "live" : null
  target_arn = var.publish ? aws_lambda_alias.live[0].arn : aws_lambda_function.this.arn

  managed_policies = concat(var.managed_policies, var.vpc == null ? [] : ["service-role/AWSLambdaVPCAccessExecutionRole"])

  # What the triggers, destinations and tracing need, beside the caller's own statements, in
  # this order (scripts/layerkit/deploy/role_grants.py makes the same list for `make invoke`).
  send_action = { sqs = "sqs:SendMessage", sns = "sns:Publish", lambda = "lambda:InvokeFunction", events = "events:PutEvents" }
  on_failure  = try(var.async_invocation.on_failure_destination, null)
  service_statements = concat(
    length(var.sqs_triggers) == 0 ? [] : [{
      actions    = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
      resources  = distinct([for q in values(var.sqs_triggers) : q.queue_arn])
      conditions = []
    }],
    local.on_failure == null ? [] : [{
      actions    = [local.send_action[split(":", local.on_failure)[2]]]
      resources  = [local.on_failure]
      conditions = []
    }],
    var.dead_letter_target_arn == null ? [] : [{
      actions    = [local.send_action[split(":", var.dead_letter_target_arn)[2]]]
      resources  = [var.dead_letter_target_arn]
      conditions = []
    }],
    var.tracing_mode != "Active" ? [] : [{
      actions    = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
      resources  = ["*"]
      conditions = []
    }],
  )
  statements = concat(var.policy_statements, var.role_arn == null ? local.service_statements : [])
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

  name                 = coalesce(var.role_name, var.name)
  path                 = var.role_path
  permissions_boundary = var.permissions_boundary
  assume_role_policy   = data.aws_iam_policy_document.assume_role.json
  tags                 = var.tags
}

resource "aws_iam_role_policy_attachment" "managed" {
  for_each = toset(var.role_arn == null ? local.managed_policies : [])

  role       = aws_iam_role.this[0].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/${each.value}"
}

resource "aws_iam_role_policy_attachment" "given" {
  for_each = toset(var.role_arn == null ? var.policy_arns : [])

  role       = aws_iam_role.this[0].name
  policy_arn = each.value
}

# Before 1.1 of these modules the one managed policy was a single attachment; this keeps it in place.
moved {
  from = aws_iam_role_policy_attachment.logs[0]
  to   = aws_iam_role_policy_attachment.managed["service-role/AWSLambdaBasicExecutionRole"]
}

data "aws_iam_policy_document" "permissions" {
  count = var.role_arn == null && length(local.statements) > 0 ? 1 : 0

  dynamic "statement" {
    for_each = local.statements
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

# Made before the function, so Lambda never makes it first without a retention.
resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_338:how long to keep logs is the caller's choice (log_retention_days); 30 days by default, as docs/functions.md says why
  name              = "/aws/lambda/${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn
  tags              = var.tags
}

resource "aws_lambda_function" "this" {
  # These checks ask for choices that belong to the caller, not to a module every function uses:
  #checkov:skip=CKV_AWS_50:X-Ray tracing costs per trace; tracing_mode turns it on where it pays
  #checkov:skip=CKV_AWS_115:reserved concurrency caps a function and takes from the account's pool; reserved_concurrency sizes it per function
  #checkov:skip=CKV_AWS_116:a dead-letter queue serves asynchronous invocations only; dead_letter_target_arn adds one where they happen
  #checkov:skip=CKV_AWS_117:a VPC is for functions that reach private resources; vpc puts one there
  #checkov:skip=CKV_AWS_173:Lambda encrypts environment variables at rest with an AWS key; kms_key_arn names another
  #checkov:skip=CKV_AWS_272:code signing needs a signing profile the caller owns; zips here are identified by their sha256
  function_name                  = var.name
  description                    = var.description
  role                           = local.role_arn
  publish                        = var.publish
  reserved_concurrent_executions = coalesce(var.reserved_concurrency, -1)
  kms_key_arn                    = var.kms_key_arn
  runtime                        = var.runtime
  handler                        = var.handler
  architectures                  = [var.architecture]
  memory_size                    = var.memory_size
  timeout                        = var.timeout
  layers                         = [for l in local.layers : l.arn]
  source_code_hash               = var.source_code_hash
  tags                           = var.tags

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

  ephemeral_storage {
    size = var.ephemeral_storage_size
  }

  logging_config {
    log_format            = var.logging.format
    log_group             = aws_cloudwatch_log_group.this.name
    application_log_level = var.logging.application_log_level
    system_log_level      = var.logging.system_log_level
  }

  dynamic "vpc_config" {
    for_each = var.vpc == null ? [] : [var.vpc]
    content {
      subnet_ids         = vpc_config.value.subnet_ids
      security_group_ids = vpc_config.value.security_group_ids
    }
  }

  dynamic "tracing_config" {
    for_each = var.tracing_mode == null ? [] : [var.tracing_mode]
    content {
      mode = tracing_config.value
    }
  }

  dynamic "dead_letter_config" {
    for_each = var.dead_letter_target_arn == null ? [] : [var.dead_letter_target_arn]
    content {
      target_arn = dead_letter_config.value
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
      condition     = var.role_arn == null || (var.permissions_boundary == null && var.role_name == null && var.role_path == "/" && length(var.policy_arns) == 0)
      error_message = "Function ${var.name} is given role_arn with permissions_boundary, role_name, role_path or policy_arns, which only shape a role the module makes; set them where that role is defined, or drop role_arn."
    }

    precondition {
      condition     = var.publish || (var.live_version == null && var.provisioned_concurrency == 0)
      error_message = "Function ${var.name} sets live_version or provisioned_concurrency with publish = false, but both need the alias live on a published version; drop publish = false."
    }

    precondition {
      condition     = length(local.other_region_layers) == 0
      error_message = "Function ${var.name} is in ${data.aws_region.current.name}, but Lambda attaches layers from the same region only: ${join(", ", local.other_region_layers)}; attach a version published in ${data.aws_region.current.name}."
    }
  }

  # The role must hold its policies before the function can first run with it.
  depends_on = [aws_iam_role_policy_attachment.managed, aws_iam_role_policy_attachment.given, aws_iam_role_policy.permissions]
}

resource "aws_lambda_alias" "live" {
  count = var.publish ? 1 : 0

  name             = "live"
  description      = var.live_version == null ? "The latest published version" : "Held on version ${var.live_version} (live_version)"
  function_name    = aws_lambda_function.this.function_name
  function_version = var.live_version == null ? aws_lambda_function.this.version : tostring(var.live_version)

  lifecycle {
    precondition {
      condition     = var.live_version == null || try(var.live_version <= tonumber(aws_lambda_function.this.version), true)
      error_message = "Function ${var.name}: live_version ${coalesce(var.live_version, 0)} is not published yet (the latest is ${aws_lambda_function.this.version}); name a version that exists."
    }
  }
}

resource "aws_lambda_provisioned_concurrency_config" "live" {
  count = var.provisioned_concurrency > 0 ? 1 : 0

  function_name                     = aws_lambda_alias.live[0].function_name
  qualifier                         = aws_lambda_alias.live[0].name
  provisioned_concurrent_executions = var.provisioned_concurrency
}

resource "aws_lambda_function_event_invoke_config" "this" {
  count = var.async_invocation == null ? 0 : 1

  function_name                = aws_lambda_function.this.function_name
  qualifier                    = var.publish ? aws_lambda_alias.live[0].name : null
  maximum_retry_attempts       = var.async_invocation.maximum_retry_attempts
  maximum_event_age_in_seconds = var.async_invocation.maximum_event_age_seconds

  dynamic "destination_config" {
    for_each = local.on_failure == null ? [] : [local.on_failure]
    content {
      on_failure {
        destination = destination_config.value
      }
    }
  }

  depends_on = [aws_iam_role_policy.permissions]
}

resource "aws_cloudwatch_event_rule" "schedule" {
  for_each = var.schedules

  name                = "${var.name}-${each.key}"
  description         = "Invokes ${var.name} on ${each.value.expression}"
  schedule_expression = each.value.expression
  tags                = var.tags

  lifecycle {
    precondition {
      condition     = length("${var.name}-${each.key}") <= 64
      error_message = "Function ${var.name}: schedule ${each.key}'s rule name ${var.name}-${each.key} is over EventBridge's 64 characters; give the schedule a shorter key."
    }
  }
}

resource "aws_cloudwatch_event_target" "schedule" {
  for_each = var.schedules

  rule  = aws_cloudwatch_event_rule.schedule[each.key].name
  arn   = local.target_arn
  input = each.value.event
}

resource "aws_lambda_permission" "schedule" {
  for_each = var.schedules

  statement_id  = "schedule-${each.key}"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  qualifier     = local.qualifier
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.schedule[each.key].arn

  depends_on = [aws_lambda_alias.live]
}

resource "aws_lambda_event_source_mapping" "sqs" {
  for_each = var.sqs_triggers

  event_source_arn                   = each.value.queue_arn
  function_name                      = local.target_arn
  batch_size                         = each.value.batch_size
  maximum_batching_window_in_seconds = each.value.batching_window
  function_response_types            = each.value.partial_batch_responses ? ["ReportBatchItemFailures"] : []

  # Lambda checks that the role may read the queue when the mapping is made.
  depends_on = [aws_iam_role_policy.permissions]
}

resource "aws_lambda_permission" "invoke" {
  for_each = var.invoke_permissions

  statement_id   = each.key
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.this.function_name
  qualifier      = local.qualifier
  principal      = each.value.principal
  source_arn     = each.value.source_arn
  source_account = each.value.source_account

  depends_on = [aws_lambda_alias.live]
}
