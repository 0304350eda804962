output "layer_versions" {
  description = "Each published layer version by manifest key: its version ARN, layer ARN, number, runtimes and architectures."
  value = {
    for key, layer in module.layer : key => {
      arn           = layer.version_arn
      layer_arn     = layer.layer_arn
      version       = layer.version
      runtimes      = layer.compatible_runtimes
      architectures = layer.compatible_architectures
    }
  }

  # The manifest's own checks live on this output, so a bad manifest stops the plan
  # before anything is published, deleted or attached.
  precondition {
    condition     = local.manifest_found
    error_message = "${var.manifest_path} is missing; run 'make layers' to build the layers and write it."
  }

  precondition {
    condition     = !local.manifest_found || local.readable
    error_message = "${var.manifest_path} is in manifest format ${coalesce(try(tostring(local.found_format), null), "(none)")}, but this configuration reads format ${local.manifest_format}; ${try(local.found_format > local.manifest_format, false) ? "a newer layerkit wrote it: update this checkout" : "rebuild it with 'make layers'"}."
  }

  precondition {
    condition     = local.manifest_regions == null ? true : contains(local.manifest_regions, var.region)
    error_message = "${var.manifest_path} publishes nothing in ${var.region}: its layers and functions are declared for ${join(", ", coalesce(local.manifest_regions, ["-"]))} (regions.toml); plan one of those, or add ${var.region} there."
  }

  precondition {
    condition     = length(local.missing_layers) == 0
    error_message = "${var.manifest_path}: ${join("; ", local.missing_layers)}, which the manifest does not publish; run 'make layers'."
  }

  precondition {
    condition     = length(local.unmet_requires) == 0
    error_message = "${var.manifest_path}: ${join("; ", local.unmet_requires)}, which it requires; attach them too, in the merge order you want."
  }

  precondition {
    condition     = length(local.oversized) == 0
    error_message = "${join(", ", local.oversized)}: over 50 MB zipped, so Lambda takes it only through S3; set artifact_bucket."
  }
}

output "functions" {
  description = "Each function by name: its ARN, what callers invoke (the alias live when published), its latest version, runtime, execution role's ARN, and its attached layer version ARNs in merge order, as AWS reports them."
  value = {
    for name, function in module.function : name => {
      arn        = function.arn
      invoke_arn = function.invoke_arn
      version    = function.version
      runtime    = local.functions[name].runtime
      role       = function.role_arn
      layers     = function.layers
    }
  }
}

output "region" {
  description = "The region this state publishes in: the layer versions and functions above are its own."
  value       = var.region
}
