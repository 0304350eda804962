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
