output "function_name" {
  description = "The function's name."
  value       = aws_lambda_function.this.function_name
}

output "arn" {
  description = "The function's ARN."
  value       = aws_lambda_function.this.arn
}

output "role_arn" {
  description = "The execution role's ARN: the one given, or the one the module created."
  value       = local.role_arn
}

output "layers" {
  description = "The attached layer version ARNs in merge order, as AWS reports them."
  value       = aws_lambda_function.this.layers
}

output "unzipped_size" {
  description = "Code plus layers, unzipped, in bytes, counting only the sizes known."
  value       = local.unzipped_total
}

output "version" {
  description = "The latest published version, or \"$LATEST\" when publish is false."
  value       = aws_lambda_function.this.version
}

output "alias_arn" {
  description = "The ARN of the alias live, which triggers invoke; null when publish is false."
  value       = var.publish ? aws_lambda_alias.live[0].arn : null
}

output "invoke_arn" {
  description = "What callers should invoke: the alias live's ARN when published, else the function's."
  value       = local.target_arn
}

output "log_group_name" {
  description = "The log group the module makes, which the function writes to."
  value       = aws_cloudwatch_log_group.this.name
}
