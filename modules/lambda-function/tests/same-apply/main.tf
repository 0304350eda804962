# For the tests: a layer published and attached in one apply, so its version ARN is unknown at plan.

variable "runtime" {
  type        = string
  description = "The function's runtime."
  default     = "python3.12"
}

variable "architecture" {
  type        = string
  description = "The function's architecture."
  default     = "x86_64"
}

variable "unzipped_size" {
  type        = number
  description = "The code's unzipped size."
  default     = 1000
}

variable "copies" {
  type        = number
  description = "How many times the function attaches the layer."
  default     = 1
}

module "layer" {
  source = "../../../lambda-layer"

  name                     = "helpers"
  filename                 = "${path.module}/../../examples/basic/layer.zip"
  source_code_hash         = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
  compatible_runtimes      = ["python3.12"]
  compatible_architectures = ["x86_64"]
  unzipped_size            = 4000
}

module "function" {
  source = "../.."

  name             = "hub"
  filename         = "${path.module}/../../examples/basic/function.zip"
  source_code_hash = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
  runtime          = var.runtime
  architecture     = var.architecture
  handler          = "handler.handle"
  unzipped_size    = var.unzipped_size
  layers           = [for n in range(var.copies) : module.layer.attachment]
}

output "unzipped_size" {
  description = "Code plus layers, unzipped, as the function module counts it."
  value       = module.function.unzipped_size
}
