# Publishes every layer version and creates every function that build/manifest.json
# lists (`make layers` writes it). Terraform never builds: a new layer or function is a
# new folder under layers/ or functions/, and needs no edit here.

provider "aws" {
  region = var.region

  endpoints {
    events = var.endpoints.events
    iam    = var.endpoints.iam
    lambda = var.endpoints.lambda
    logs   = var.endpoints.logs
    s3     = var.endpoints.s3
    sts    = var.endpoints.sts
  }
  # A stand-in for S3 at its own endpoint serves buckets by path, not by host name.
  s3_use_path_style = var.endpoints.s3 != null
}

locals {
  manifest_format = 6
  manifest_found  = fileexists(var.manifest_path)
  manifest        = try(jsondecode(file(var.manifest_path)), {})
  found_format    = try(local.manifest.format, null)
  readable        = local.found_format == local.manifest_format

  # One per distinct zip of a layer: a pure-Python layer's arm64 and x86_64 zips are
  # the same bytes, so it is one version compatible with both. Only this state's region's:
  # each region has its own state (docs/terraform.md, "Regions"); null regions: var.region's alone.
  manifest_regions = try(local.manifest.regions, null)
  layer_versions   = { for v in try(local.manifest.layer_versions, []) : v.key => v if local.readable && (v.regions == null ? true : contains(v.regions, var.region)) }
  functions        = { for f in try(local.manifest.functions, []) : f.name => f if local.readable && (f.regions == null ? true : contains(f.regions, var.region)) }
  # Lambda reads code from a bucket in the function's own region only.
  artifact_bucket = lookup(var.artifact_buckets, var.region, var.artifact_bucket)

  # A function names a local layer by artifact (layer and architecture): the layer version publishing its zip.
  layer_version_of = merge({}, [for v in values(local.layer_versions) : { for a in v.artifacts : a => v.key }]...)
  missing_layers = flatten([
    for f in values(local.functions) : [
      for l in f.layers : "function ${f.name} attaches ${l.artifact}"
      if l.arn == null ? !contains(keys(local.layer_version_of), l.artifact) : false
    ]
  ])
  # A layer that requires others relies on them for some of its dependencies: they must be attached too.
  requires_of = { for a in try(local.manifest.artifacts, []) : a.key => a.requires if local.readable }
  unmet_requires = flatten([
    for f in values(local.functions) : [
      for l in f.layers : "function ${f.name} attaches ${l.layer} without ${join(", ", setsubtract(local.requires_of[l.artifact], [for a in f.layers : a.layer if a.layer != null]))}"
      if l.arn == null ? length(setsubtract(lookup(local.requires_of, l.artifact, []), [for a in f.layers : a.layer if a.layer != null])) > 0 : false
    ]
  ])
  external_layers = toset(flatten([for f in values(local.functions) : [for l in f.layers : l.arn if l.arn != null]]))
  oversized = [
    for v in concat(values(local.layer_versions), values(local.functions)) : v.zip if v.needs_s3 && local.artifact_bucket == null
  ]
}

module "layer" {
  source   = "./modules/lambda-layer"
  for_each = local.layer_versions

  name                     = "${var.name_prefix}${each.value.layer}"
  filename                 = each.value.zip
  source_code_hash         = each.value.sha256_base64
  description              = each.value.description
  license_info             = each.value.license
  compatible_runtimes      = each.value.runtimes
  compatible_architectures = each.value.architectures
  unzipped_size            = each.value.unzipped_size
  s3_bucket                = each.value.needs_s3 ? local.artifact_bucket : null
  shared_with_accounts     = each.value.share.accounts
  shared_with_organization = each.value.share.organization
  public                   = each.value.share.public
  tags                     = var.tags
}

# A layer published elsewhere (another team's, or a vendor's): this checks at plan time
# that the version exists, and gives its runtimes and architectures for the function's checks.
data "aws_lambda_layer_version" "external" {
  for_each = local.external_layers

  layer_name = regex("^(.+):[0-9]+$", each.key)[0]
  version    = tonumber(regex(":([0-9]+)$", each.key)[0])
}

module "function" {
  source   = "./modules/lambda-function"
  for_each = local.functions

  name             = "${var.name_prefix}${each.value.name}"
  filename         = each.value.zip
  source_code_hash = each.value.sha256_base64
  unzipped_size    = each.value.unzipped_size
  s3_bucket        = each.value.needs_s3 ? local.artifact_bucket : null
  runtime          = each.value.runtime
  handler          = each.value.handler
  architecture     = each.value.architecture
  memory_size      = each.value.memory
  timeout          = each.value.timeout
  environment      = each.value.environment
  managed_policies = each.value.managed_policies
  tags             = var.tags

  # function.toml's [[permissions]], with every ${NAME} already replaced by the build.
  policy_statements = each.value.permissions

  # function.toml's settings for production (docs/functions.md), as the build checked them.
  description             = each.value.description
  tracing_mode            = each.value.tracing
  reserved_concurrency    = each.value.reserved_concurrency
  ephemeral_storage_size  = each.value.ephemeral_storage
  kms_key_arn             = each.value.kms_key
  log_retention_days      = each.value.logs.retention_days
  log_kms_key_arn         = each.value.logs.kms_key
  logging                 = { format = each.value.logs.format, application_log_level = each.value.logs.application_level, system_log_level = each.value.logs.system_level }
  publish                 = each.value.versions.publish
  live_version            = each.value.versions.live
  provisioned_concurrency = each.value.versions.provisioned_concurrency
  vpc                     = each.value.vpc == null ? null : { subnet_ids = each.value.vpc.subnets, security_group_ids = each.value.vpc.security_groups }
  async_invocation = each.value.asynchronous == null ? null : {
    maximum_retry_attempts    = each.value.asynchronous.retries
    maximum_event_age_seconds = each.value.asynchronous.max_event_age
    on_failure_destination    = each.value.asynchronous.on_failure
  }
  dead_letter_target_arn = try(each.value.asynchronous.dead_letter, null)
  role_arn               = each.value.role.arn
  role_name              = each.value.role_names == null || each.value.role.arn != null ? null : "${var.name_prefix}${each.value.role_names[var.region]}"
  role_path              = each.value.role.path
  permissions_boundary   = each.value.role.permissions_boundary
  policy_arns            = each.value.role.policies
  schedules              = { for s in each.value.triggers.schedules : s.name => { expression = s.expression, event = s.event } }
  sqs_triggers = { for q in each.value.triggers.queues : q.name => {
    queue_arn               = q.arn
    batch_size              = q.batch_size
    batching_window         = q.batching_window
    partial_batch_responses = q.partial_batch_responses
  } }
  invoke_permissions = { for p in each.value.triggers.permissions : p.name => {
    principal      = p.principal
    source_arn     = p.source_arn
    source_account = p.source_account
  } }

  # In merge order: this configuration's own layer versions as the layer module hands them
  # over, and layers published elsewhere as the data source above describes them.
  layers = [
    for l in each.value.layers : l.arn != null ? {
      arn                      = l.arn
      name                     = regex(":layer:([^:]+):[0-9]+$", l.arn)[0]
      compatible_runtimes      = tolist(data.aws_lambda_layer_version.external[l.arn].compatible_runtimes)
      compatible_architectures = tolist(data.aws_lambda_layer_version.external[l.arn].compatible_architectures)
      unzipped_size            = null
    } : module.layer[local.layer_version_of[l.artifact]].attachment
    if l.arn != null ? true : contains(keys(local.layer_version_of), l.artifact)
  ]
}
