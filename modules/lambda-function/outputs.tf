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
