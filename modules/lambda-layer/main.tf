locals {
  via_s3 = var.s3_bucket != null

  # One grant per grantee, keyed by its statement ID: stable, so a second plan is empty.
  grants = merge(
    { for account in var.shared_with_accounts : "account-${account}" => { principal = account, organization_id = null } },
    var.shared_with_organization == null ? {} : {
      "organization-${var.shared_with_organization}" = { principal = "*", organization_id = var.shared_with_organization }
    },
    var.public ? { public = { principal = "*", organization_id = null } } : {},
  )
}

resource "aws_s3_object" "zip" {
  count = local.via_s3 ? 1 : 0

  bucket      = var.s3_bucket
  key         = coalesce(var.s3_key, "lambda-layers/${var.name}/${basename(var.filename)}")
  source      = var.filename
  source_hash = var.source_code_hash
  tags        = var.tags
}

# Who a version is shared with is fixed when it is published: a change to the grants
# publishes a new version (see README, "Why does changing who a layer is shared with
# publish a new version?").
resource "terraform_data" "grants" {
  input = sort(keys(local.grants))
}

resource "aws_lambda_layer_version" "this" {
  layer_name               = var.name
  description              = var.description
  license_info             = var.license_info
  compatible_runtimes      = var.compatible_runtimes
  compatible_architectures = var.compatible_architectures
  source_code_hash         = var.source_code_hash
  skip_destroy             = var.skip_destroy

  filename          = local.via_s3 ? null : var.filename
  s3_bucket         = local.via_s3 ? aws_s3_object.zip[0].bucket : null
  s3_key            = local.via_s3 ? aws_s3_object.zip[0].key : null
  s3_object_version = local.via_s3 ? try(coalesce(aws_s3_object.zip[0].version_id), null) : null

  lifecycle {
    replace_triggered_by = [terraform_data.grants]
  }
}

resource "aws_lambda_layer_version_permission" "this" {
  for_each = local.grants

  layer_name      = aws_lambda_layer_version.this.layer_arn
  version_number  = tonumber(aws_lambda_layer_version.this.version)
  statement_id    = each.key
  action          = "lambda:GetLayerVersion"
  principal       = each.value.principal
  organization_id = each.value.organization_id
  # A grant lives as long as its version: revoking happens by publishing a new version
  # without it (see terraform_data.grants), never by removing one statement.
  skip_destroy = true

  lifecycle {
    # The provider reads back only the policy's first statement into every permission of a
    # version (hashicorp/terraform-provider-aws#21917), so with two grantees each would plan
    # a replacement forever, and a removal would delete another grantee's statement. The
    # arguments are kept as written; the postcondition checks that this grant really is there.
    ignore_changes = [statement_id, action, principal, organization_id]

    postcondition {
      condition = anytrue([
        for statement in jsondecode(self.policy).Statement :
        statement.Sid == each.key && strcontains(jsonencode(statement), coalesce(each.value.organization_id, each.value.principal))
      ])
      error_message = "Layer ${var.name} version ${aws_lambda_layer_version.this.version}: its policy has no statement ${each.key} for ${coalesce(each.value.organization_id, each.value.principal)}, so it was changed outside Terraform; replace this permission (terraform apply -replace=<its address>) to grant it again."
    }
  }
}
