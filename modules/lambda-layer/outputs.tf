output "layer_arn" {
  description = "The layer's ARN, without a version."
  value       = aws_lambda_layer_version.this.layer_arn
}

output "version_arn" {
  description = "The published version's ARN: what a function attaches."
  value       = aws_lambda_layer_version.this.arn
}

output "version" {
  description = "The published version's number."
  value       = tonumber(aws_lambda_layer_version.this.version)
}

output "compatible_runtimes" {
  description = "The runtimes the version declares, as AWS stores them."
  value       = aws_lambda_layer_version.this.compatible_runtimes
}

output "compatible_architectures" {
  description = "The architectures the version declares, as AWS stores them."
  value       = aws_lambda_layer_version.this.compatible_architectures
}

output "statement_ids" {
  description = "The statement IDs of the version's grants, one per grantee; empty when it is not shared."
  value       = sort(keys(aws_lambda_layer_version_permission.this))
}

output "attachment" {
  description = "This version as modules/lambda-function's layers take it: arn, name, compatible_runtimes, compatible_architectures and unzipped_size (null when not given)."
  value = {
    arn                      = aws_lambda_layer_version.this.arn
    name                     = var.name
    compatible_runtimes      = var.compatible_runtimes
    compatible_architectures = var.compatible_architectures
    unzipped_size            = var.unzipped_size
  }
}
