variable "name" {
  type        = string
  description = "The function's name (and its role's, when the module creates the role)."

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.name))
    error_message = "name must be 1 to 64 letters, digits, '-' or '_'; got \"${var.name}\"."
  }
}

variable "filename" {
  type        = string
  description = "Path of the function's zip."
}

variable "source_code_hash" {
  type        = string
  description = "Base64-encoded SHA-256 of the zip, as filebase64sha256() gives it. A new hash deploys new code."

  validation {
    condition     = can(regex("^[A-Za-z0-9+/]{43}=$", var.source_code_hash))
    error_message = "source_code_hash must be a base64-encoded SHA-256 (44 characters, as filebase64sha256() gives it); got \"${var.source_code_hash}\"."
  }
}

variable "unzipped_size" {
  type        = number
  description = "The code's size unzipped, in bytes, for the 250 MB check on code plus layers. null: unknown, left out of the check."
  default     = null

  validation {
    condition     = var.unzipped_size == null || try(var.unzipped_size >= 0, false)
    error_message = "unzipped_size must be a number of bytes (0 or more), or null when unknown."
  }
}

variable "s3_bucket" {
  type        = string
  description = "Upload the zip to this bucket and deploy from there. Needed for zips over 50 MB. null deploys the zip directly."
  default     = null
}

variable "s3_key" {
  type        = string
  description = "The object key for the zip when s3_bucket is set. null gives \"lambda-functions/<name>/<zip file name>\"."
  default     = null
}

variable "runtime" {
  type        = string
  description = "The function's runtime, e.g. \"python3.12\". Every layer must declare it."
}

variable "handler" {
  type        = string
  description = "The handler as \"module.function\", e.g. \"handler.handle\"."

  validation {
    condition     = can(regex("^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)+$", var.handler))
    error_message = "handler must be \"module.function\", e.g. \"handler.handle\"; got \"${var.handler}\"."
  }
}

variable "architecture" {
  type        = string
  description = "The instruction set the function runs on: x86_64 or arm64. Every layer must declare it."
  default     = "x86_64"
  nullable    = false

  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "architecture must be x86_64 or arm64; got \"${var.architecture}\"."
  }
}

variable "memory_size" {
  type        = number
  description = "Memory in MB, 128 to 10240."
  default     = 128
  nullable    = false

  validation {
    condition     = floor(var.memory_size) == var.memory_size && var.memory_size >= 128 && var.memory_size <= 10240
    error_message = "memory_size must be a whole number of MB from 128 to 10240; got ${var.memory_size}."
  }
}

variable "timeout" {
  type        = number
  description = "Timeout in seconds, 1 to 900."
  default     = 3
  nullable    = false

  validation {
    condition     = floor(var.timeout) == var.timeout && var.timeout >= 1 && var.timeout <= 900
    error_message = "timeout must be a whole number of seconds from 1 to 900; got ${var.timeout}."
  }
}

variable "environment" {
  type        = map(string)
  description = "Environment variables for the function."
  default     = {}
  nullable    = false
}

variable "layers" {
  # `any`, because one list mixes plain ARNs (strings) and objects; the validations below
  # hold each element to one of those two shapes.
  type        = any
  description = <<-EOT
    The layers to attach, in merge order: a later layer overwrites an earlier one in /opt.
    Each is a layer version ARN (a string), whose runtimes and architectures the module
    looks up and whose size counts as unknown; or an object, such as a lambda-layer
    module's attachment output, with arn and optionally name, compatible_runtimes and
    compatible_architectures (empty or absent: not declared, not checked) and
    unzipped_size (null or absent: unknown, left out of the 250 MB check).
  EOT
  default     = []
  nullable    = false

  validation {
    condition     = can([for l in var.layers : l]) && !can(keys(var.layers)) && alltrue([for l in var.layers : can(keys(l)) ? can(l.arn) : can(tostring(l))])
    error_message = "layers must be a list whose items are layer version ARNs, or objects with an arn (such as a lambda-layer module's attachment output)."
  }

  validation {
    condition     = length(var.layers) <= 5
    error_message = "Lambda attaches at most 5 layers to a function; got ${length(var.layers)}; detach one, or merge two into one layer."
  }

  validation {
    condition     = length(distinct([for l in var.layers : try(l.arn, l)])) == length(var.layers)
    error_message = "layers lists a layer version twice."
  }

  # The offending layers are listed in both the condition and the message, so the message
  # is known whenever the condition is: an ARN unknown at plan defers this check to apply.
  validation {
    condition = length([
      for i, l in var.layers : i
      if !can(regex("^arn:aws[a-zA-Z-]*:lambda:[a-z]{2}((-gov)|(-iso[a-z]?))?-[a-z]+-[0-9]:[0-9]{12}:layer:[A-Za-z0-9_-]+:[0-9]+$", try(l.arn, l)))
    ]) == 0
    error_message = "Each layer must be a layer version ARN, arn:aws:lambda:<region>:<account>:layer:<name>:<version>; not: ${join(", ", [
      for i, l in var.layers : "layer ${i + 1} (${try(l.arn, l)})"
      if !can(regex("^arn:aws[a-zA-Z-]*:lambda:[a-z]{2}((-gov)|(-iso[a-z]?))?-[a-z]+-[0-9]:[0-9]{12}:layer:[A-Za-z0-9_-]+:[0-9]+$", try(l.arn, l)))
    ])}."
  }
}

variable "role_arn" {
  type        = string
  description = "An existing execution role for the function. null: the module creates one that may write its logs, with policy_statements as its inline policy."
  default     = null
}

variable "managed_policies" {
  type        = list(string)
  description = "AWS managed policies the role the module creates gets, by name under arn:<partition>:iam::aws:policy/. The default lets the function write its logs."
  default     = ["service-role/AWSLambdaBasicExecutionRole"]
  nullable    = false

  validation {
    condition     = alltrue([for p in var.managed_policies : can(regex("^([A-Za-z0-9+=,.@_-]+/)*[A-Za-z0-9+=,.@_-]+$", p))])
    error_message = "Each of managed_policies must be an AWS managed policy's name with its path, e.g. \"service-role/AWSLambdaBasicExecutionRole\", not an ARN."
  }
}

variable "policy_statements" {
  type = list(object({
    actions   = list(string)
    resources = list(string)
    conditions = optional(list(object({
      test     = string
      variable = string
      values   = list(string)
    })), [])
  }))
  description = <<-EOT
    What the function may do beyond writing its logs: Allow statements that the role the
    module creates gets as one inline policy. Each names its actions (service:Action),
    its resources (ARNs, or *), and optional conditions. Not with role_arn: the module
    manages no policy on a role it does not own.
  EOT
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for s in var.policy_statements : length(s.actions) > 0 && length(s.resources) > 0])
    error_message = "Each of policy_statements needs at least one action and one resource."
  }

  validation {
    condition     = alltrue(flatten([for s in var.policy_statements : [for a in s.actions : can(regex("^[a-z0-9-]+:[A-Za-z0-9*]+$", a))]]))
    error_message = "Each action in policy_statements must be in service:Action form, e.g. \"sts:AssumeRole\"."
  }

  validation {
    condition     = alltrue(flatten([for s in var.policy_statements : [for r in s.resources : r == "*" || startswith(r, "arn:")]]))
    error_message = "Each resource in policy_statements must be an ARN (arn:<partition>:<service>:<region>:<account>:<resource>) or \"*\"."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags for the function and the role the module creates."
  default     = {}
  nullable    = false
}
