variable "name" {
  type        = string
  description = "The layer's name. Each new zip publishes a new version of this layer."

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,140}$", var.name))
    error_message = "name must be 1 to 140 letters, digits, '-' or '_'; got \"${var.name}\"."
  }
}

variable "filename" {
  type        = string
  description = "Path of the layer's zip. Build it reproducibly: its bytes decide whether a new version is published."
}

variable "source_code_hash" {
  type        = string
  description = "Base64-encoded SHA-256 of the zip, as filebase64sha256() gives it. A new hash publishes a new version."

  validation {
    condition     = can(regex("^[A-Za-z0-9+/]{43}=$", var.source_code_hash))
    error_message = "source_code_hash must be a base64-encoded SHA-256 (44 characters, as filebase64sha256() gives it); got \"${var.source_code_hash}\"."
  }
}

variable "description" {
  type        = string
  description = "The layer version's description."
  default     = null

  validation {
    condition     = var.description == null || length(coalesce(var.description, " ")) <= 256
    error_message = "description may have at most 256 characters."
  }
}

variable "license_info" {
  type        = string
  description = "The layer version's license, e.g. an SPDX identifier such as \"MIT\"."
  default     = null

  validation {
    condition     = var.license_info == null || length(coalesce(var.license_info, " ")) <= 512
    error_message = "license_info may have at most 512 characters."
  }
}

variable "compatible_runtimes" {
  type        = list(string)
  description = "Runtimes the layer is built for, e.g. [\"python3.12\"]. Functions on other runtimes should not attach it."

  validation {
    condition     = length(var.compatible_runtimes) >= 1 && length(var.compatible_runtimes) <= 15
    error_message = "compatible_runtimes must list 1 to 15 runtimes (Lambda's limit); got ${length(var.compatible_runtimes)}."
  }

  validation {
    condition     = length(distinct(var.compatible_runtimes)) == length(var.compatible_runtimes)
    error_message = "compatible_runtimes lists a runtime twice."
  }
}

variable "compatible_architectures" {
  type        = list(string)
  description = "Architectures the zip runs on: x86_64, arm64, or both (a pure-Python zip runs on both)."

  validation {
    condition = (
      length(var.compatible_architectures) >= 1 &&
      length(distinct(var.compatible_architectures)) == length(var.compatible_architectures) &&
      alltrue([for a in var.compatible_architectures : contains(["x86_64", "arm64"], a)])
    )
    error_message = "compatible_architectures must list x86_64, arm64 or both, once each; got [${join(", ", var.compatible_architectures)}]."
  }
}

variable "unzipped_size" {
  type        = number
  description = "The zip's size unzipped, in bytes, passed on in the attachment output for the function's 250 MB check. null: unknown."
  default     = null

  validation {
    condition     = var.unzipped_size == null || try(var.unzipped_size >= 0, false)
    error_message = "unzipped_size must be a number of bytes (0 or more), or null when unknown."
  }
}

variable "skip_destroy" {
  type        = bool
  description = "Keep old versions (and their grants) in AWS when a new one is published or the module is destroyed, for the functions that still use them."
  default     = true
  nullable    = false
}

variable "s3_bucket" {
  type        = string
  description = "Upload the zip to this bucket and publish from there. Needed for zips over 50 MB, which Lambda does not take directly. null publishes the zip directly."
  default     = null
}

variable "s3_key" {
  type        = string
  description = "The object key for the zip when s3_bucket is set. null gives \"lambda-layers/<name>/<zip file name>\"."
  default     = null
}

variable "shared_with_accounts" {
  type        = list(string)
  description = "AWS account IDs that may use each version (lambda:GetLayerVersion). Empty by default: nobody else."
  default     = []
  nullable    = false

  validation {
    condition     = !contains(var.shared_with_accounts, "*")
    error_message = "shared_with_accounts lists \"*\" (every AWS account); to share the layer publicly, set public = true on purpose instead."
  }

  validation {
    condition     = alltrue([for id in var.shared_with_accounts : id == "*" || can(regex("^[0-9]{12}$", id))])
    error_message = "shared_with_accounts must hold 12-digit AWS account IDs; got [${join(", ", var.shared_with_accounts)}]."
  }

  validation {
    condition     = length(distinct(var.shared_with_accounts)) == length(var.shared_with_accounts)
    error_message = "shared_with_accounts lists an account twice."
  }
}

variable "shared_with_organization" {
  type        = string
  description = "An AWS Organizations ID (o-...) whose accounts may all use each version. null: no organization grant."
  default     = null

  validation {
    condition     = var.shared_with_organization == null || can(regex("^o-[a-z0-9]{10,32}$", coalesce(var.shared_with_organization, "-")))
    error_message = "shared_with_organization must be an organization ID such as \"o-a1b2c3d4e5\"."
  }
}

variable "public" {
  type        = bool
  description = "Let every AWS account use each version. Off by default; turn it on only on purpose."
  default     = false
  nullable    = false
}

variable "tags" {
  type        = map(string)
  description = "Tags for the S3 object when the zip goes through S3. Layer versions themselves cannot be tagged."
  default     = {}
  nullable    = false
}
