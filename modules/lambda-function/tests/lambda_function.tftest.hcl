# Plan-mode unit tests with a mock AWS provider: no AWS is called.
# Run from the module folder: tofu init && tofu test (or terraform).

mock_provider "aws" {
  mock_data "aws_region" {
    defaults = { name = "us-east-1" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/hub" }
  }
  mock_resource "aws_lambda_function" {
    defaults = { arn = "arn:aws:lambda:us-east-1:123456789012:function:hub", version = "4" }
  }
  mock_resource "aws_lambda_alias" {
    defaults = { arn = "arn:aws:lambda:us-east-1:123456789012:function:hub:live" }
  }
  mock_resource "aws_cloudwatch_event_rule" {
    defaults = { arn = "arn:aws:events:us-east-1:123456789012:rule/hub-hourly" }
  }
  mock_data "aws_lambda_layer_version" {
    defaults = {
      compatible_runtimes      = ["python3.12", "python3.13"]
      compatible_architectures = ["x86_64"]
    }
  }
}

variables {
  name             = "hub"
  filename         = "build/hub.zip"
  source_code_hash = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
  unzipped_size    = 1000
  runtime          = "python3.12"
  handler          = "handler.handle"
  architecture     = "x86_64"
  layers = [
    {
      arn                      = "arn:aws:lambda:us-east-1:123456789012:layer:boto3:3"
      compatible_runtimes      = ["python3.12"]
      compatible_architectures = ["x86_64", "arm64"]
      unzipped_size            = 23788179
    },
    {
      arn                      = "arn:aws:lambda:us-east-1:123456789012:layer:aws_helpers:7"
      compatible_runtimes      = ["python3.12"]
      compatible_architectures = ["x86_64", "arm64"]
      unzipped_size            = 4000
    },
  ]
}

run "attaches_layers_in_merge_order_with_its_own_role" {
  command = plan

  assert {
    condition     = aws_lambda_function.this.layers == tolist(["arn:aws:lambda:us-east-1:123456789012:layer:boto3:3", "arn:aws:lambda:us-east-1:123456789012:layer:aws_helpers:7"])
    error_message = "Layers must be attached in the order given."
  }
  assert {
    condition     = length(aws_iam_role.this) == 1 && aws_iam_role.this[0].name == "hub"
    error_message = "Without role_arn, the module creates a role named after the function."
  }
  assert {
    condition     = aws_lambda_function.this.architectures == tolist(["x86_64"]) && aws_lambda_function.this.runtime == "python3.12"
    error_message = "Runtime and architecture must be passed on."
  }
  assert {
    condition     = output.unzipped_size == 23793179
    error_message = "unzipped_size must add the code and every layer."
  }
}

run "a_given_role_is_used_and_none_created" {
  command = plan

  variables {
    role_arn = "arn:aws:iam::123456789012:role/existing"
  }

  assert {
    condition     = length(aws_iam_role.this) == 0 && aws_lambda_function.this.role == "arn:aws:iam::123456789012:role/existing"
    error_message = "A given role must be used as it is."
  }
}

run "six_layers_are_refused" {
  command = plan

  variables {
    layers = [for n in range(6) : {
      arn                      = "arn:aws:lambda:us-east-1:123456789012:layer:l${n}:1"
      compatible_runtimes      = ["python3.12"]
      compatible_architectures = ["x86_64"]
      unzipped_size            = 1
    }]
  }

  expect_failures = [var.layers]
}

run "over_the_250_mb_budget_is_refused" {
  command = plan

  variables {
    unzipped_size = 62144001
    layers = [{
      arn                      = "arn:aws:lambda:us-east-1:123456789012:layer:big:1"
      compatible_runtimes      = ["python3.12"]
      compatible_architectures = ["x86_64"]
      unzipped_size            = 200000000
    }]
  }

  expect_failures = [aws_lambda_function.this]
}

run "exactly_the_budget_is_allowed" {
  command = plan

  variables {
    unzipped_size = 62144000
    layers = [{
      arn                      = "arn:aws:lambda:us-east-1:123456789012:layer:big:1"
      compatible_runtimes      = ["python3.12"]
      compatible_architectures = ["x86_64"]
      unzipped_size            = 200000000
    }]
  }

  assert {
    condition     = output.unzipped_size == 262144000
    error_message = "262,144,000 bytes is at the limit, not over it."
  }
}

run "a_layer_without_the_runtime_is_refused" {
  command = plan

  variables {
    runtime = "python3.11"
  }

  expect_failures = [aws_lambda_function.this]
}

run "a_layer_without_the_architecture_is_refused" {
  command = plan

  variables {
    architecture = "arm64"
    layers = [{
      arn                      = "arn:aws:lambda:us-east-1:123456789012:layer:native:1"
      compatible_runtimes      = ["python3.12"]
      compatible_architectures = ["x86_64"]
      unzipped_size            = 1
    }]
  }

  expect_failures = [aws_lambda_function.this]
}

run "a_layer_from_another_region_is_refused" {
  command = plan

  variables {
    layers = [{
      arn                      = "arn:aws:lambda:eu-west-1:123456789012:layer:boto3:3"
      compatible_runtimes      = ["python3.12"]
      compatible_architectures = ["x86_64"]
      unzipped_size            = 1
    }]
  }

  expect_failures = [aws_lambda_function.this]
}

run "a_malformed_layer_arn_is_refused" {
  command = plan

  variables {
    layers = [{
      arn                      = "arn:aws:lambda:us-east-1:123456789012:layer:boto3"
      compatible_runtimes      = ["python3.12"]
      compatible_architectures = ["x86_64"]
      unzipped_size            = 1
    }]
  }

  expect_failures = [var.layers]
}

run "a_layer_of_unknown_size_and_compatibility_is_not_counted" {
  command = plan

  variables {
    unzipped_size = 262144000
    layers = [{
      arn                      = "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3:7"
      compatible_runtimes      = []
      compatible_architectures = []
      unzipped_size            = null
    }]
  }

  assert {
    condition     = output.unzipped_size == 262144000
    error_message = "An unknown size counts as unknown, not zero, and is left out of the check."
  }
}

run "memory_out_of_range_is_refused" {
  command = plan

  variables {
    memory_size = 64
  }

  expect_failures = [var.memory_size]
}

run "policy_statements_become_the_created_roles_inline_policy" {
  command = plan

  variables {
    policy_statements = [{
      actions   = ["sts:AssumeRole"]
      resources = ["arn:aws:iam::111111111111:role/OrganizationAccountAccessRole"]
    }]
  }

  assert {
    condition     = length(aws_iam_role_policy.permissions) == 1 && aws_iam_role_policy.permissions[0].name == "permissions"
    error_message = "The role the module creates must get the statements as one inline policy."
  }
  assert {
    condition     = length(data.aws_iam_policy_document.permissions) == 1
    error_message = "The inline policy must be built with aws_iam_policy_document."
  }
  assert {
    condition     = keys(aws_iam_role_policy_attachment.managed) == ["service-role/AWSLambdaBasicExecutionRole"]
    error_message = "The role must keep the managed policy that lets the function write its logs."
  }
}

run "no_policy_statements_means_no_inline_policy" {
  command = plan

  assert {
    condition     = length(aws_iam_role_policy.permissions) == 0
    error_message = "Without statements, the role has no inline policy."
  }
}

run "policy_statements_with_a_given_role_are_refused" {
  command = plan

  variables {
    role_arn = "arn:aws:iam::123456789012:role/existing"
    policy_statements = [{
      actions   = ["sts:AssumeRole"]
      resources = ["arn:aws:iam::111111111111:role/OrganizationAccountAccessRole"]
    }]
  }

  expect_failures = [aws_lambda_function.this]
}

run "an_action_not_in_service_action_form_is_refused" {
  command = plan

  variables {
    policy_statements = [{ actions = ["AssumeRole"], resources = ["*"] }]
  }

  expect_failures = [var.policy_statements]
}

run "a_resource_neither_arn_nor_star_is_refused" {
  command = plan

  variables {
    policy_statements = [{ actions = ["s3:GetObject"], resources = ["my-bucket/*"] }]
  }

  expect_failures = [var.policy_statements]
}

run "a_statement_without_resources_is_refused" {
  command = plan

  variables {
    policy_statements = [{ actions = ["s3:GetObject"], resources = [] }]
  }

  expect_failures = [var.policy_statements]
}

run "a_managed_policy_given_as_an_arn_is_refused" {
  command = plan

  variables {
    managed_policies = ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]
  }

  expect_failures = [var.managed_policies]
}

run "plain_arns_and_objects_mix_in_merge_order" {
  command = plan

  variables {
    layers = [
      "arn:aws:lambda:us-east-1:017000801446:layer:vendor:7",
      {
        arn                      = "arn:aws:lambda:us-east-1:123456789012:layer:aws_helpers:7"
        name                     = "aws_helpers"
        compatible_runtimes      = ["python3.12"]
        compatible_architectures = ["x86_64"]
        unzipped_size            = 4000
      },
      { arn = "arn:aws:lambda:us-east-1:123456789012:layer:bare:1" },
    ]
  }

  assert {
    condition = aws_lambda_function.this.layers == tolist([
      "arn:aws:lambda:us-east-1:017000801446:layer:vendor:7",
      "arn:aws:lambda:us-east-1:123456789012:layer:aws_helpers:7",
      "arn:aws:lambda:us-east-1:123456789012:layer:bare:1",
    ])
    error_message = "Plain ARNs and objects must be attached in the order given."
  }
  assert {
    condition     = output.unzipped_size == 5000
    error_message = "A plain ARN's size is unknown, so only the code and the known layer count."
  }
  assert {
    condition     = keys(data.aws_lambda_layer_version.given) == ["0"]
    error_message = "Only the plain ARN is looked up."
  }
}

run "a_plain_arn_without_the_runtime_is_refused" {
  command = plan

  variables {
    runtime = "python3.11"
    layers  = ["arn:aws:lambda:us-east-1:017000801446:layer:vendor:7"]
  }

  expect_failures = [aws_lambda_function.this]
}

run "a_layer_that_is_neither_arn_nor_object_is_refused" {
  command = plan

  variables {
    layers = [42]
  }

  expect_failures = [var.layers]
}

# The common case, a layer published by the lambda-layer module and attached in the same
# apply (its ARN unknown at plan), needs that module too, so it is not tested here: the
# repository's tests/test_terraform_modules.py plans it, and each of its refusals, with the
# real provider.

# For running in production (modules-v1.2.0): logs, versions and the alias live, concurrency,
# triggers, VPC, asynchronous failures, tracing and role controls.

run "a_description_over_256_characters_is_refused" {
  command = plan

  variables {
    description = join("", [for n in range(257) : "x"])
  }

  expect_failures = [var.description]
}

run "a_retention_cloudwatch_does_not_accept_is_refused" {
  command = plan

  variables {
    log_retention_days = 10
  }

  expect_failures = [var.log_retention_days]
}

run "a_retention_of_never_is_refused" {
  command = plan

  variables {
    log_retention_days = 0
  }

  expect_failures = [var.log_retention_days]
}

run "a_log_key_that_is_not_a_kms_arn_is_refused" {
  command = plan

  variables {
    log_kms_key_arn = "alias/logs"
  }

  expect_failures = [var.log_kms_key_arn]
}

run "an_unknown_log_format_is_refused" {
  command = plan

  variables {
    logging = { format = "Json" }
  }

  expect_failures = [var.logging]
}

run "log_levels_without_json_are_refused" {
  command = plan

  variables {
    logging = { application_log_level = "INFO" }
  }

  expect_failures = [var.logging]
}

run "an_unknown_application_log_level_is_refused" {
  command = plan

  variables {
    logging = { format = "JSON", application_log_level = "WARNING" }
  }

  expect_failures = [var.logging]
}

run "an_unknown_system_log_level_is_refused" {
  command = plan

  variables {
    logging = { format = "JSON", system_log_level = "ERROR" }
  }

  expect_failures = [var.logging]
}

run "a_live_version_of_zero_is_refused" {
  command = plan

  variables {
    live_version = 0
  }

  expect_failures = [var.live_version]
}

run "a_negative_provisioned_concurrency_is_refused" {
  command = plan

  variables {
    provisioned_concurrency = -1
  }

  expect_failures = [var.provisioned_concurrency]
}

run "a_negative_reserved_concurrency_is_refused" {
  command = plan

  variables {
    reserved_concurrency = -1
  }

  expect_failures = [var.reserved_concurrency]
}

run "a_rate_with_a_plural_unit_for_one_is_refused" {
  command = plan

  variables {
    schedules = { hourly = { expression = "rate(1 hours)" } }
  }

  expect_failures = [var.schedules]
}

run "a_rate_with_a_singular_unit_for_five_is_refused" {
  command = plan

  variables {
    schedules = { often = { expression = "rate(5 minute)" } }
  }

  expect_failures = [var.schedules]
}

run "a_cron_with_five_fields_is_refused" {
  command = plan

  variables {
    schedules = { noon = { expression = "cron(0 12 * * ?)" } }
  }

  expect_failures = [var.schedules]
}

run "a_schedule_key_with_spaces_is_refused" {
  command = plan

  variables {
    schedules = { "every hour" = { expression = "rate(1 hour)" } }
  }

  expect_failures = [var.schedules]
}

run "a_queue_that_is_not_an_sqs_arn_is_refused" {
  command = plan

  variables {
    sqs_triggers = { orders = { queue_arn = "https://sqs.us-east-1.amazonaws.com/123456789012/orders" } }
  }

  expect_failures = [var.sqs_triggers]
}

run "a_batch_over_ten_thousand_is_refused" {
  command = plan

  variables {
    sqs_triggers = { orders = { queue_arn = "arn:aws:sqs:us-east-1:123456789012:orders", batch_size = 10001, batching_window = 5 } }
  }

  expect_failures = [var.sqs_triggers]
}

run "a_fifo_batch_over_ten_is_refused" {
  command = plan

  variables {
    sqs_triggers = { orders = { queue_arn = "arn:aws:sqs:us-east-1:123456789012:orders.fifo", batch_size = 11, batching_window = 5 } }
  }

  expect_failures = [var.sqs_triggers]
}

run "a_batch_over_ten_without_a_window_is_refused" {
  command = plan

  variables {
    sqs_triggers = { orders = { queue_arn = "arn:aws:sqs:us-east-1:123456789012:orders", batch_size = 100 } }
  }

  expect_failures = [var.sqs_triggers]
}

run "a_principal_that_is_not_a_service_is_refused" {
  command = plan

  variables {
    invoke_permissions = { anyone = { principal = "*", source_account = "123456789012" } }
  }

  expect_failures = [var.invoke_permissions]
}

run "a_principal_without_a_source_is_refused" {
  command = plan

  variables {
    invoke_permissions = { s3 = { principal = "s3.amazonaws.com" } }
  }

  expect_failures = [var.invoke_permissions]
}

run "subnets_without_security_groups_are_refused" {
  command = plan

  variables {
    vpc = { subnet_ids = ["subnet-0123456789abcdef0"], security_group_ids = [] }
  }

  expect_failures = [var.vpc]
}

run "three_retries_are_refused" {
  command = plan

  variables {
    async_invocation = { maximum_retry_attempts = 3 }
  }

  expect_failures = [var.async_invocation]
}

run "an_event_age_under_a_minute_is_refused" {
  command = plan

  variables {
    async_invocation = { maximum_event_age_seconds = 59 }
  }

  expect_failures = [var.async_invocation]
}

run "a_destination_of_another_kind_is_refused" {
  command = plan

  variables {
    async_invocation = { on_failure_destination = "arn:aws:s3:::failures" }
  }

  expect_failures = [var.async_invocation]
}

run "a_dead_letter_target_of_another_kind_is_refused" {
  command = plan

  variables {
    dead_letter_target_arn = "arn:aws:lambda:us-east-1:123456789012:function:dlq"
  }

  expect_failures = [var.dead_letter_target_arn]
}

run "an_unknown_tracing_mode_is_refused" {
  command = plan

  variables {
    tracing_mode = "On"
  }

  expect_failures = [var.tracing_mode]
}

run "a_boundary_that_is_not_a_policy_arn_is_refused" {
  command = plan

  variables {
    permissions_boundary = "arn:aws:iam::123456789012:role/Boundary"
  }

  expect_failures = [var.permissions_boundary]
}

run "a_role_path_without_its_slashes_is_refused" {
  command = plan

  variables {
    role_path = "workloads"
  }

  expect_failures = [var.role_path]
}

run "a_role_name_with_a_space_is_refused" {
  command = plan

  variables {
    role_name = "hub eu"
  }

  expect_failures = [var.role_name]
}

run "a_policy_arn_that_is_a_name_is_refused" {
  command = plan

  variables {
    policy_arns = ["ReadConfig"]
  }

  expect_failures = [var.policy_arns]
}

run "ephemeral_storage_under_512_mb_is_refused" {
  command = plan

  variables {
    ephemeral_storage_size = 256
  }

  expect_failures = [var.ephemeral_storage_size]
}

run "an_environment_key_that_is_not_a_kms_arn_is_refused" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:us-east-1:123456789012:secret/x"
  }

  expect_failures = [var.kms_key_arn]
}

run "a_boundary_on_a_given_role_is_refused" {
  command = plan

  variables {
    role_arn             = "arn:aws:iam::123456789012:role/existing"
    permissions_boundary = "arn:aws:iam::123456789012:policy/Boundary"
  }

  expect_failures = [aws_lambda_function.this]
}

run "a_live_version_without_publishing_is_refused" {
  command = plan

  variables {
    publish      = false
    live_version = 1
  }

  expect_failures = [aws_lambda_function.this]
}

run "a_rule_name_over_64_characters_is_refused" {
  command = plan

  variables {
    name      = "a-function-name-of-fifty-characters-long-enough-xx"
    schedules = { a-schedule-key-of-twenty = { expression = "rate(1 hour)" } }
  }

  expect_failures = [aws_cloudwatch_event_rule.schedule]
}

run "defaults_keep_logs_30_days_and_publish_behind_live" {
  command = plan

  assert {
    condition     = aws_cloudwatch_log_group.this.name == "/aws/lambda/hub" && aws_cloudwatch_log_group.this.retention_in_days == 30
    error_message = "The module must make the function's log group, keeping logs 30 days by default."
  }
  assert {
    condition     = aws_lambda_function.this.logging_config[0].log_group == "/aws/lambda/hub" && aws_lambda_function.this.logging_config[0].log_format == "Text"
    error_message = "The function must write to the group the module makes."
  }
  assert {
    condition     = aws_lambda_function.this.publish && length(aws_lambda_alias.live) == 1 && aws_lambda_alias.live[0].name == "live"
    error_message = "By default each change is published, behind the alias live."
  }
  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == -1 && aws_lambda_function.this.ephemeral_storage[0].size == 512
    error_message = "By default there is no reservation, and /tmp is 512 MB."
  }
  assert {
    condition     = length(aws_lambda_function.this.tracing_config) == 0 && length(aws_lambda_function.this.vpc_config) == 0 && length(aws_lambda_function_event_invoke_config.this) == 0
    error_message = "Tracing, VPC and asynchronous settings are left to Lambda unless given."
  }
  assert {
    condition     = length(data.aws_iam_policy_document.permissions) == 0
    error_message = "Without statements, triggers, destinations or tracing the role gets no inline policy."
  }
}

run "triggers_invoke_the_alias_and_the_role_may_read_only_its_queue" {
  command = plan

  variables {
    schedules          = { hourly = { expression = "rate(1 hour)", event = "{\"task\":\"sweep\"}" } }
    sqs_triggers       = { orders = { queue_arn = "arn:aws:sqs:us-east-1:123456789012:orders", batch_size = 100, batching_window = 5, partial_batch_responses = true } }
    invoke_permissions = { s3 = { principal = "s3.amazonaws.com", source_arn = "arn:aws:s3:::uploads" } }
  }

  assert {
    condition     = aws_cloudwatch_event_rule.schedule["hourly"].name == "hub-hourly" && aws_cloudwatch_event_rule.schedule["hourly"].schedule_expression == "rate(1 hour)"
    error_message = "A schedule is an EventBridge rule named after the function and its key."
  }
  assert {
    condition     = aws_cloudwatch_event_target.schedule["hourly"].input == "{\"task\":\"sweep\"}"
    error_message = "The schedule's event is what the function is called with."
  }
  assert {
    condition     = aws_lambda_permission.schedule["hourly"].qualifier == "live" && aws_lambda_permission.schedule["hourly"].principal == "events.amazonaws.com"
    error_message = "EventBridge may invoke the alias live."
  }
  assert {
    condition     = aws_lambda_event_source_mapping.sqs["orders"].batch_size == 100 && aws_lambda_event_source_mapping.sqs["orders"].function_response_types == toset(["ReportBatchItemFailures"])
    error_message = "The queue's mapping takes its batch settings and partial batch responses."
  }
  assert {
    condition     = aws_lambda_permission.invoke["s3"].source_arn == "arn:aws:s3:::uploads" && aws_lambda_permission.invoke["s3"].qualifier == "live"
    error_message = "A service may invoke the alias from its source only."
  }
  assert {
    condition     = jsonencode(local.service_statements[0].resources) == jsonencode(["arn:aws:sqs:us-east-1:123456789012:orders"]) && length(local.service_statements) == 1
    error_message = "The role may read and delete messages of its own queue, and nothing more."
  }
}

run "without_publishing_triggers_invoke_the_function_itself" {
  command = plan

  variables {
    publish   = false
    schedules = { hourly = { expression = "rate(1 hour)" } }
  }

  assert {
    condition     = length(aws_lambda_alias.live) == 0 && aws_lambda_permission.schedule["hourly"].qualifier == null && output.alias_arn == null
    error_message = "With publish = false there is no alias, and triggers invoke the function."
  }
}

run "destinations_tracing_and_vpc_add_exactly_their_permissions" {
  command = plan

  variables {
    tracing_mode           = "Active"
    dead_letter_target_arn = "arn:aws:sns:us-east-1:123456789012:dead"
    async_invocation       = { maximum_retry_attempts = 0, maximum_event_age_seconds = 3600, on_failure_destination = "arn:aws:sqs:us-east-1:123456789012:failed" }
    vpc                    = { subnet_ids = ["subnet-0123456789abcdef0"], security_group_ids = ["sg-0123456789abcdef0"] }
  }

  assert {
    condition     = jsonencode([for s in local.service_statements : s.actions]) == jsonencode([["sqs:SendMessage"], ["sns:Publish"], ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]])
    error_message = "The role may send to the destination and the dead-letter target, and write traces."
  }
  assert {
    condition     = contains(keys(aws_iam_role_policy_attachment.managed), "service-role/AWSLambdaVPCAccessExecutionRole")
    error_message = "A function in a VPC needs AWSLambdaVPCAccessExecutionRole."
  }
  assert {
    condition     = aws_lambda_function_event_invoke_config.this[0].qualifier == "live" && aws_lambda_function_event_invoke_config.this[0].maximum_retry_attempts == 0
    error_message = "The asynchronous settings apply to the alias live."
  }
}

run "passthrough_tracing_adds_no_permission" {
  command = plan

  variables {
    tracing_mode = "PassThrough"
  }

  assert {
    condition     = length(local.service_statements) == 0 && aws_lambda_function.this.tracing_config[0].mode == "PassThrough"
    error_message = "Only Active tracing writes traces, so only it gets the X-Ray permission."
  }
}

run "role_controls_shape_the_role_the_module_makes" {
  command = plan

  variables {
    permissions_boundary = "arn:aws:iam::123456789012:policy/WorkloadBoundary"
    role_name            = "hub-eu-west-1"
    role_path            = "/workloads/"
    policy_arns          = ["arn:aws:iam::123456789012:policy/ReadConfig"]
  }

  assert {
    condition     = aws_iam_role.this[0].permissions_boundary == "arn:aws:iam::123456789012:policy/WorkloadBoundary" && aws_iam_role.this[0].path == "/workloads/"
    error_message = "The boundary and path must be on the role."
  }
  assert {
    condition     = aws_iam_role.this[0].name == "hub-eu-west-1"
    error_message = "role_name names the role the module makes."
  }
  assert {
    condition     = aws_iam_role_policy_attachment.given["arn:aws:iam::123456789012:policy/ReadConfig"].policy_arn == "arn:aws:iam::123456789012:policy/ReadConfig"
    error_message = "A customer managed policy is attached by its ARN."
  }
}

run "a_held_live_version_and_provisioned_concurrency" {
  command = plan

  variables {
    live_version            = 3
    provisioned_concurrency = 2
    reserved_concurrency    = 0
  }

  assert {
    condition     = aws_lambda_alias.live[0].function_version == "3" && aws_lambda_provisioned_concurrency_config.live[0].provisioned_concurrent_executions == 2
    error_message = "live_version holds the alias; provisioned concurrency is on the alias."
  }
  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == 0
    error_message = "A reservation of 0 is passed on: it switches the function off."
  }
}
