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

variable "description" {
  type        = string
  description = "The function's description, up to 256 characters."
  default     = ""
  nullable    = false

  validation {
    condition     = length(var.description) <= 256
    error_message = "description must be at most 256 characters; got ${length(var.description)}."
  }
}

variable "log_retention_days" {
  type        = number
  description = "How many days CloudWatch keeps the function's logs, in the log group the module makes (/aws/lambda/<name>). One of the values CloudWatch accepts; 30 by default, so logs are not kept, and billed, forever."
  default     = 30
  nullable    = false

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one CloudWatch accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653; got ${var.log_retention_days}."
  }
}

variable "log_kms_key_arn" {
  type        = string
  description = "A KMS key ARN to encrypt the log group with. null: CloudWatch's own encryption."
  default     = null

  validation {
    condition     = var.log_kms_key_arn == null || can(regex("^arn:aws[a-zA-Z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/[A-Za-z0-9/_-]+$", coalesce(var.log_kms_key_arn, "-")))
    error_message = "log_kms_key_arn must be a KMS key ARN, arn:aws:kms:<region>:<account>:key/<id>."
  }
}

variable "logging" {
  type = object({
    format                = optional(string, "Text")
    application_log_level = optional(string)
    system_log_level      = optional(string)
  })
  description = "The function's logging config: format Text or JSON, and (JSON only) the application log level (TRACE, DEBUG, INFO, WARN, ERROR, FATAL) and system log level (DEBUG, INFO, WARN)."
  default     = {}
  nullable    = false

  validation {
    condition     = contains(["Text", "JSON"], var.logging.format)
    error_message = "logging.format must be Text or JSON; got \"${var.logging.format}\"."
  }

  validation {
    condition     = var.logging.format == "JSON" || (var.logging.application_log_level == null && var.logging.system_log_level == null)
    error_message = "logging's application_log_level and system_log_level need format = \"JSON\"."
  }

  validation {
    condition     = var.logging.application_log_level == null || contains(["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"], coalesce(var.logging.application_log_level, "-"))
    error_message = "logging.application_log_level must be TRACE, DEBUG, INFO, WARN, ERROR or FATAL."
  }

  validation {
    condition     = var.logging.system_log_level == null || contains(["DEBUG", "INFO", "WARN"], coalesce(var.logging.system_log_level, "-"))
    error_message = "logging.system_log_level must be DEBUG, INFO or WARN."
  }
}

variable "publish" {
  type        = bool
  description = "Publish a version on each change of code, configuration or layers, and point the alias live at it. Triggers invoke the alias."
  default     = true
  nullable    = false
}

variable "live_version" {
  type        = number
  description = "Hold the alias live on this published version (a rollback), whatever is published later. null: the latest version."
  default     = null

  validation {
    condition     = var.live_version == null || try(floor(var.live_version) == var.live_version && var.live_version >= 1, false)
    error_message = "live_version must be a published version number (1 or more), or null for the latest."
  }
}

variable "provisioned_concurrency" {
  type        = number
  description = "Execution environments kept ready on the alias live. 0: none."
  default     = 0
  nullable    = false

  validation {
    condition     = floor(var.provisioned_concurrency) == var.provisioned_concurrency && var.provisioned_concurrency >= 0
    error_message = "provisioned_concurrency must be a whole number, 0 or more; got ${var.provisioned_concurrency}."
  }
}

variable "reserved_concurrency" {
  type        = number
  description = "Concurrent runs reserved for the function, and its cap. 0 switches the function off. null: no reservation."
  default     = null

  validation {
    condition     = var.reserved_concurrency == null || try(floor(var.reserved_concurrency) == var.reserved_concurrency && var.reserved_concurrency >= 0, false)
    error_message = "reserved_concurrency must be a whole number, 0 or more (0 switches the function off), or null for no reservation."
  }
}

variable "schedules" {
  type = map(object({
    expression = string
    event      = optional(string, "{}")
  }))
  description = "Schedules that invoke the function (the alias live when published), by name: each an EventBridge rule named <name>-<key>, with an expression rate(...) or cron(...) and the event as JSON."
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for s in values(var.schedules) : can(regex("^(rate\\((1 (minute|hour|day)|([2-9]|[1-9][0-9]+) (minutes|hours|days))\\)|cron\\(([^ ()]+ ){5}[^ ()]+\\))$", s.expression))])
    error_message = "Each schedule's expression must be rate(1 hour), rate(5 minutes) (the unit singular for 1 only), or cron() with six fields, e.g. cron(0 12 * * ? *)."
  }

  validation {
    condition     = alltrue([for k in keys(var.schedules) : can(regex("^[A-Za-z0-9_-]{1,64}$", k))])
    error_message = "Each schedule's key must be 1 to 64 letters, digits, '-' or '_'."
  }
}

variable "sqs_triggers" {
  type = map(object({
    queue_arn               = string
    batch_size              = optional(number, 10)
    batching_window         = optional(number, 0)
    partial_batch_responses = optional(bool, false)
  }))
  description = "SQS queues whose messages invoke the function (the alias live when published), by name: batch size (1 to 10,000; 10 for FIFO), batching window in seconds (0 to 300), and whether the handler reports partial batch failures. The role the module makes may read and delete messages of these queues only."
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for q in values(var.sqs_triggers) : can(regex("^arn:aws[a-zA-Z-]*:sqs:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,80}(\\.fifo)?$", q.queue_arn))])
    error_message = "Each of sqs_triggers needs queue_arn, an SQS queue ARN, arn:aws:sqs:<region>:<account>:<name>."
  }

  validation {
    condition     = alltrue([for q in values(var.sqs_triggers) : floor(q.batch_size) == q.batch_size && q.batch_size >= 1 && q.batch_size <= (endswith(q.queue_arn, ".fifo") ? 10 : 10000)])
    error_message = "Each of sqs_triggers needs batch_size from 1 to 10000 (1 to 10 for a FIFO queue)."
  }

  validation {
    condition     = alltrue([for q in values(var.sqs_triggers) : floor(q.batching_window) == q.batching_window && q.batching_window >= 0 && q.batching_window <= 300 && (q.batch_size <= 10 || q.batching_window >= 1)])
    error_message = "Each of sqs_triggers needs batching_window from 0 to 300 seconds, and at least 1 when batch_size is over 10."
  }
}

variable "invoke_permissions" {
  type = map(object({
    principal      = string
    source_arn     = optional(string)
    source_account = optional(string)
  }))
  description = "Other services that may invoke the function (the alias live when published), by statement ID: a service principal such as s3.amazonaws.com, and the source ARN, the source account or both that it calls from."
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for p in values(var.invoke_permissions) : can(regex("^[a-z0-9.-]+\\.amazonaws\\.com$", p.principal))])
    error_message = "Each of invoke_permissions needs principal, a service principal such as \"s3.amazonaws.com\"."
  }

  validation {
    condition     = alltrue([for p in values(var.invoke_permissions) : p.source_arn != null || p.source_account != null])
    error_message = "Each of invoke_permissions needs source_arn, source_account or both, so that no one else's resource can invoke the function."
  }
}

variable "vpc" {
  type = object({
    subnet_ids         = list(string)
    security_group_ids = list(string)
  })
  description = "The subnets and security groups the function runs in, to reach private resources. The role the module makes gets AWSLambdaVPCAccessExecutionRole. null: no VPC."
  default     = null

  validation {
    condition     = var.vpc == null || try(length(var.vpc.subnet_ids) > 0 && length(var.vpc.security_group_ids) > 0, false)
    error_message = "vpc needs at least one subnet_ids and one security_group_ids; name the security groups that let the function reach what it calls."
  }
}

variable "async_invocation" {
  type = object({
    maximum_retry_attempts    = optional(number)
    maximum_event_age_seconds = optional(number)
    on_failure_destination    = optional(string)
  })
  description = "For asynchronous invocations: retries (0 to 2), the longest an event waits (60 to 21600 s), and where a failed event goes (an SQS queue, SNS topic, Lambda function or EventBridge bus ARN; the role the module makes may send there). null: Lambda's defaults."
  default     = null

  validation {
    condition     = var.async_invocation == null || try(var.async_invocation.maximum_retry_attempts == null || contains([0, 1, 2], var.async_invocation.maximum_retry_attempts), false)
    error_message = "async_invocation.maximum_retry_attempts must be 0, 1 or 2."
  }

  validation {
    condition     = var.async_invocation == null || try(var.async_invocation.maximum_event_age_seconds == null || (floor(var.async_invocation.maximum_event_age_seconds) == var.async_invocation.maximum_event_age_seconds && var.async_invocation.maximum_event_age_seconds >= 60 && var.async_invocation.maximum_event_age_seconds <= 21600), false)
    error_message = "async_invocation.maximum_event_age_seconds must be a whole number from 60 to 21600."
  }

  validation {
    condition     = var.async_invocation == null || try(var.async_invocation.on_failure_destination == null || can(regex("^arn:aws[a-zA-Z-]*:(sqs|sns|lambda|events):[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9:/_.-]+$", var.async_invocation.on_failure_destination)), false)
    error_message = "async_invocation.on_failure_destination must be the ARN of an SQS queue, SNS topic, Lambda function or EventBridge bus."
  }
}

variable "dead_letter_target_arn" {
  type        = string
  description = "An SQS queue or SNS topic ARN for asynchronous events that fail every retry; the role the module makes may send there. null: none."
  default     = null

  validation {
    condition     = var.dead_letter_target_arn == null || can(regex("^arn:aws[a-zA-Z-]*:(sqs|sns):[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_.-]+$", coalesce(var.dead_letter_target_arn, "-")))
    error_message = "dead_letter_target_arn must be an SQS queue or SNS topic ARN."
  }
}

variable "tracing_mode" {
  type        = string
  description = "X-Ray tracing: Active (the role the module makes may then write traces) or PassThrough. null: Lambda's default, PassThrough."
  default     = null

  validation {
    condition     = var.tracing_mode == null || contains(["Active", "PassThrough"], coalesce(var.tracing_mode, "-"))
    error_message = "tracing_mode must be Active or PassThrough."
  }
}

variable "permissions_boundary" {
  type        = string
  description = "A policy ARN that bounds the role the module makes. null: none."
  default     = null

  validation {
    condition     = var.permissions_boundary == null || can(regex("^arn:aws[a-zA-Z-]*:iam::([0-9]{12}|aws):policy/([A-Za-z0-9+=,.@_-]+/)*[A-Za-z0-9+=,.@_-]+$", coalesce(var.permissions_boundary, "-")))
    error_message = "permissions_boundary must be an IAM policy ARN, arn:aws:iam::<account>:policy/<name>."
  }
}

variable "role_name" {
  type        = string
  description = "The name of the role the module makes. null: the function's name. IAM names are global, so the same function in a second region needs another, e.g. \"<name>-eu-west-1\"."
  default     = null

  validation {
    condition     = var.role_name == null || can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", coalesce(var.role_name, "-")))
    error_message = "role_name must be 1 to 64 letters, digits or +=,.@_-; got \"${coalesce(var.role_name, "(none)")}\"."
  }
}

variable "role_path" {
  type        = string
  description = "The IAM path of the role the module makes, e.g. \"/workloads/\"."
  default     = "/"
  nullable    = false

  validation {
    condition     = can(regex("^/([A-Za-z0-9+=,.@_-]+/)*$", var.role_path))
    error_message = "role_path must be \"/\" or names between slashes, such as \"/workloads/\"; got \"${var.role_path}\"."
  }
}

variable "policy_arns" {
  type        = list(string)
  description = "Policy ARNs (customer managed, or AWS managed by ARN) attached to the role the module makes, beside managed_policies."
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for p in var.policy_arns : can(regex("^arn:aws[a-zA-Z-]*:iam::([0-9]{12}|aws):policy/([A-Za-z0-9+=,.@_-]+/)*[A-Za-z0-9+=,.@_-]+$", p))])
    error_message = "Each of policy_arns must be an IAM policy ARN, arn:aws:iam::<account>:policy/<name>."
  }
}

variable "ephemeral_storage_size" {
  type        = number
  description = "MB of /tmp, 512 to 10240."
  default     = 512
  nullable    = false

  validation {
    condition     = floor(var.ephemeral_storage_size) == var.ephemeral_storage_size && var.ephemeral_storage_size >= 512 && var.ephemeral_storage_size <= 10240
    error_message = "ephemeral_storage_size must be a whole number of MB from 512 to 10240; got ${var.ephemeral_storage_size}."
  }
}

variable "kms_key_arn" {
  type        = string
  description = "A KMS key ARN to encrypt the environment variables with. null: Lambda's own key."
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-zA-Z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/[A-Za-z0-9/_-]+$", coalesce(var.kms_key_arn, "-")))
    error_message = "kms_key_arn must be a KMS key ARN, arn:aws:kms:<region>:<account>:key/<id>."
  }
}
