variable "manifest_path" {
  type        = string
  description = "The manifest `make layers` writes: the layers and functions to publish, and their zips."
  default     = "build/manifest.json"
  nullable    = false
}

variable "region" {
  type        = string
  description = "The AWS region to publish the layers and create the functions in. When regions.toml declares regions, make plan and make apply set it for each region's own state."
  default     = "us-east-1"
  nullable    = false

  validation {
    condition     = can(regex("^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must be an AWS region such as \"eu-west-1\"; got \"${var.region}\"."
  }
}

variable "endpoints" {
  type = object({
    events = optional(string)
    iam    = optional(string)
    lambda = optional(string)
    logs   = optional(string)
    s3     = optional(string)
    sts    = optional(string)
  })
  description = "Service endpoints to use instead of AWS's, e.g. a local AWS such as `make local-aws` starts. Empty: AWS itself."
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for url in values(var.endpoints) : url == null || can(regex("^https?://", coalesce(url, "-")))])
    error_message = "Each endpoint must be an http:// or https:// URL."
  }
}

variable "name_prefix" {
  type        = string
  description = "Put before every layer, function and role name, e.g. \"platform-\", to keep names apart in a shared account."
  default     = ""
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{0,32}$", var.name_prefix))
    error_message = "name_prefix may have up to 32 letters, digits, '-' or '_'; got \"${var.name_prefix}\"."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags for every function, role and S3 object (layer versions cannot be tagged)."
  default     = {}
  nullable    = false
}

variable "artifact_bucket" {
  type        = string
  description = "The S3 bucket for zips over 50 MB, which Lambda does not take directly. null: every zip must be small enough to upload directly."
  default     = null
}

variable "artifact_buckets" {
  type        = map(string)
  description = "By region, the S3 bucket for zips over 50 MB there: Lambda reads code only from a bucket in the function's own region. A region not listed uses artifact_bucket."
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for region in keys(var.artifact_buckets) : can(regex("^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$", region))])
    error_message = "Each key of artifact_buckets must be an AWS region such as \"eu-west-1\"."
  }
}
