# Plan-mode unit tests with a mock AWS provider: no AWS is called.
# Run from the module folder: tofu init && tofu test (or terraform).

mock_provider "aws" {
  mock_resource "aws_lambda_layer_version" {
    defaults = {
      arn       = "arn:aws:lambda:us-east-1:123456789012:layer:tools:1"
      layer_arn = "arn:aws:lambda:us-east-1:123456789012:layer:tools"
      version   = "1"
    }
  }
  # The version's policy as GetLayerVersionPolicy returns it, with every grant these runs make.
  mock_resource "aws_lambda_layer_version_permission" {
    defaults = {
      policy = <<-EOT
        {"Statement": [
          {"Sid": "account-111111111111", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}},
          {"Sid": "account-222222222222", "Principal": {"AWS": "arn:aws:iam::222222222222:root"}},
          {"Sid": "organization-o-a1b2c3d4e5", "Principal": "*",
           "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}},
          {"Sid": "public", "Principal": "*"}
        ]}
      EOT
    }
  }
}

variables {
  name                     = "tools"
  filename                 = "build/tools.zip"
  source_code_hash         = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
  description              = "test layer"
  license_info             = "MIT"
  compatible_runtimes      = ["python3.12"]
  compatible_architectures = ["x86_64", "arm64"]
}

run "private_by_default_and_old_versions_kept" {
  command = plan

  assert {
    condition     = length(aws_lambda_layer_version_permission.this) == 0
    error_message = "A layer must be shared with nobody unless asked."
  }
  assert {
    condition     = aws_lambda_layer_version.this.skip_destroy
    error_message = "Old versions must stay for the functions that use them."
  }
  assert {
    condition     = aws_lambda_layer_version.this.filename == "build/tools.zip" && aws_lambda_layer_version.this.s3_bucket == null
    error_message = "A zip without s3_bucket must be published directly."
  }
  assert {
    condition     = length(aws_s3_object.zip) == 0
    error_message = "No S3 object without s3_bucket."
  }
}

run "one_grant_per_grantee_with_stable_statement_ids" {
  command = plan

  variables {
    shared_with_accounts     = ["222222222222", "111111111111"]
    shared_with_organization = "o-a1b2c3d4e5"
  }

  assert {
    condition     = keys(aws_lambda_layer_version_permission.this) == ["account-111111111111", "account-222222222222", "organization-o-a1b2c3d4e5"]
    error_message = "Expected one permission per grantee, keyed by a statement ID made from the grantee."
  }
  assert {
    condition     = aws_lambda_layer_version_permission.this["account-111111111111"].principal == "111111111111"
    error_message = "An account grant names the account."
  }
  assert {
    condition = (
      aws_lambda_layer_version_permission.this["organization-o-a1b2c3d4e5"].principal == "*" &&
      aws_lambda_layer_version_permission.this["organization-o-a1b2c3d4e5"].organization_id == "o-a1b2c3d4e5"
    )
    error_message = "An organization grant is principal * limited to the organization."
  }
  assert {
    condition     = alltrue([for p in aws_lambda_layer_version_permission.this : p.action == "lambda:GetLayerVersion" && p.skip_destroy])
    error_message = "Grants allow lambda:GetLayerVersion only, and live as long as their version."
  }
}

run "public_only_when_asked" {
  command = plan

  variables {
    public = true
  }

  assert {
    condition     = keys(aws_lambda_layer_version_permission.this) == ["public"] && aws_lambda_layer_version_permission.this["public"].principal == "*"
    error_message = "public = true grants every account, and nothing else."
  }
}

run "star_without_opting_in_is_refused" {
  command = plan

  variables {
    shared_with_accounts = ["*"]
  }

  expect_failures = [var.shared_with_accounts]
}

run "malformed_account_id_is_refused" {
  command = plan

  variables {
    shared_with_accounts = ["12345"]
  }

  expect_failures = [var.shared_with_accounts]
}

run "malformed_organization_id_is_refused" {
  command = plan

  variables {
    shared_with_organization = "my-org"
  }

  expect_failures = [var.shared_with_organization]
}

run "unknown_architecture_is_refused" {
  command = plan

  variables {
    compatible_architectures = ["aarch64"]
  }

  expect_failures = [var.compatible_architectures]
}

run "more_than_15_runtimes_are_refused" {
  command = plan

  variables {
    compatible_runtimes = [for n in range(16) : "python3.${n}"]
  }

  expect_failures = [var.compatible_runtimes]
}

run "a_hash_that_is_not_base64_sha256_is_refused" {
  command = plan

  variables {
    source_code_hash = "abc123"
  }

  expect_failures = [var.source_code_hash]
}

run "through_s3_when_a_bucket_is_given" {
  command = plan

  variables {
    s3_bucket = "artifacts"
  }

  assert {
    condition     = aws_s3_object.zip[0].key == "lambda-layers/tools/tools.zip" && aws_s3_object.zip[0].source == "build/tools.zip"
    error_message = "The zip must be uploaded under lambda-layers/<name>/."
  }
  assert {
    condition     = aws_lambda_layer_version.this.filename == null && aws_lambda_layer_version.this.s3_bucket == "artifacts"
    error_message = "The version must be published from S3."
  }
}
