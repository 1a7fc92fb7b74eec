# Alarms on what users and the RPO feel: 5xx at the edge, too few healthy tasks, backups that fail.
# alarm_topic_arn (optional) receives them, e.g. an SNS topic wired to the on-call pager.

locals {
  alarm_actions = var.alarm_topic_arn == "" ? [] : [var.alarm_topic_arn]
}

resource "aws_cloudwatch_metric_alarm" "edge_5xx" {
  alarm_name          = "${local.name}-5xx"
  alarm_description   = "More than 1% of requests answered 5xx for 5 minutes"
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = 5
  threshold           = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  metric_query {
    id          = "ratio"
    expression  = "100 * errors / MAX([requests, 1])"
    label       = "5xx %"
    return_data = true
  }

  metric_query {
    id = "errors"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_Target_5XX_Count"
      dimensions  = { LoadBalancer = aws_lb.main.arn_suffix }
      period      = 60
      stat        = "Sum"
    }
  }

  metric_query {
    id = "requests"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "RequestCount"
      dimensions  = { LoadBalancer = aws_lb.main.arn_suffix }
      period      = 60
      stat        = "Sum"
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "healthy_tasks" {
  alarm_name          = "${local.name}-healthy-tasks"
  alarm_description   = "Fewer than 2 healthy app tasks behind the load balancer"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "HealthyHostCount"
  dimensions          = { LoadBalancer = aws_lb.main.arn_suffix, TargetGroup = aws_lb_target_group.app.arn_suffix }
  statistic           = "Minimum"
  period              = 60
  evaluation_periods  = 3
  comparison_operator = "LessThanThreshold"
  threshold           = 2
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_log_metric_filter" "backup_uploaded" {
  name           = "${local.name}-backup-uploaded"
  log_group_name = aws_cloudwatch_log_group.app.name
  pattern        = "\"backup: uploaded\""

  metric_transformation {
    name      = "BackupsUploaded"
    namespace = "Tavern/${var.environment}"
    value     = "1"
    unit      = "Count"
  }
}

resource "aws_cloudwatch_metric_alarm" "backup_missing" {
  alarm_name          = "${local.name}-backup-missing"
  alarm_description   = "No database backup reached S3 in the last 2 hours: the 1-hour RPO is at risk"
  namespace           = "Tavern/${var.environment}"
  metric_name         = "BackupsUploaded"
  statistic           = "Sum"
  period              = 7200
  evaluation_periods  = 1
  comparison_operator = "LessThanThreshold"
  threshold           = 1
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
}
