# Secrets Manager: one secret holds what the app must not see in plain configuration. ECS injects each key
# as an environment variable; nothing secret appears in the task definition.

resource "random_password" "secret_key" {
  length  = 64
  special = false
}

resource "random_password" "jwt_secret" {
  length  = 64
  special = false
}

resource "aws_secretsmanager_secret" "app" {
  name                    = "${local.name}/app"
  description             = "Tavern ${var.environment}: SECRET_KEY, JWT_SECRET, DATABASE_URL, REDIS_URL, MAIL_URL"
  kms_key_id              = aws_kms_key.main.arn
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "app" {
  secret_id = aws_secretsmanager_secret.app.id
  secret_string = jsonencode({
    SECRET_KEY   = random_password.secret_key.result
    JWT_SECRET   = random_password.jwt_secret.result
    DATABASE_URL = "postgresql+psycopg://tavern:${random_password.db.result}@${aws_db_instance.main.address}:${aws_db_instance.main.port}/tavern?sslmode=require"
    REDIS_URL    = "rediss://:${random_password.redis.result}@${aws_elasticache_replication_group.main.primary_endpoint_address}:6379/0"
    MAIL_URL     = var.mail_url
  })
}

locals {
  secret_keys = ["SECRET_KEY", "JWT_SECRET", "DATABASE_URL", "REDIS_URL", "MAIL_URL"]
  app_secrets = [for key in local.secret_keys : { name = key, valueFrom = "${aws_secretsmanager_secret.app.arn}:${key}::" }]
}
