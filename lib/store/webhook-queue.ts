import type { SQSClient } from '@aws-sdk/client-sqs';
import type { WebhookDelivery, WebhookQueue } from '../core/ports/webhook-queue';

/**
 * The webhook delivery queue on SQS (WebhookQueue in serverless.yml; the local stack's SQS endpoint locally).
 * A message body is `{"webhookDelivery": <WebhookDelivery>}`; a retry is a new message sent with DelaySeconds.
 */
export class SqsWebhookQueue implements WebhookQueue {
  /** `sqs` resolves the process's SQS client (lib/store/clients.ts), built on first use. */
  constructor(
    private readonly sqs: () => Promise<SQSClient>,
    private readonly queueUrl: string,
    private readonly deadLetterQueueUrl: string | undefined,
  ) {}

  async send(delivery: WebhookDelivery, delaySeconds: number): Promise<void> {
    await this.sendTo(this.queueUrl, { webhookDelivery: delivery }, delaySeconds);
  }

  async deadLetter(delivery: WebhookDelivery, reason: string): Promise<void> {
    if (!this.deadLetterQueueUrl) throw new Error('WEBHOOK_DEAD_LETTER_QUEUE_URL is not set: a delivery out of retries cannot be dead-lettered');
    await this.sendTo(this.deadLetterQueueUrl, { webhookDelivery: delivery, reason }, 0);
  }

  private async sendTo(queueUrl: string, body: unknown, delaySeconds: number): Promise<void> {
    const [{ SendMessageCommand }, client] = await Promise.all([import('./sqs-commands'), this.sqs()]);
    await client.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(body), ...(delaySeconds > 0 ? { DelaySeconds: Math.min(900, Math.round(delaySeconds)) } : {}) }),
    );
  }
}

/** The delivery a queue message carries; undefined for a body that is not one. */
export function parseWebhookMessage(body: string): WebhookDelivery | undefined {
  try {
    const delivery = (JSON.parse(body) as { webhookDelivery?: WebhookDelivery }).webhookDelivery;
    if (!delivery || typeof delivery.eventId !== 'string' || typeof delivery.bucketUuid !== 'string' || !Number.isInteger(delivery.attempt)) return undefined;
    return delivery;
  } catch {
    return undefined;
  }
}
