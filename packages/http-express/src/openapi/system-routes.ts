import { input, type RouteDoc } from './route-doc.js';

const announcementExample = {
  title: 'Maintenance tonight',
  message: 'Sending pauses from 23:00 to 23:30 WIB.',
  type: 'maintenance',
  starts_at: '2026-06-01T16:00:00Z',
  expires_at: '2026-06-01T16:30:00Z',
};

/** Health, the document itself, the caller, the engine's status, the event stream, announcements and webhooks. */
export const SYSTEM_ROUTES: RouteDoc[] = [
  {
    method: 'get',
    path: '/health',
    tag: 'System',
    public: true,
    summary: 'Is the server up (no token; no envelope)',
    answer: {
      raw: {
        'application/json': {
          type: 'object',
          required: ['status', 'timestamp', 'service'],
          properties: {
            status: { const: 'OK' },
            timestamp: { type: 'string', format: 'date-time' },
            service: { type: 'string', examples: ['Kirim WhatsApp Gateway'] },
          },
          additionalProperties: false,
        },
      },
    },
  },
  {
    method: 'get',
    path: '/openapi.json',
    tag: 'System',
    public: true,
    summary: 'This OpenAPI 3.1 document (no token: it documents the API and discloses no data)',
    answer: { raw: { 'application/json': { type: 'object', required: ['openapi', 'paths'] } } },
  },
  {
    method: 'get',
    path: '/me',
    tag: 'System',
    summary: "The token's user: id, name, email, role and plan",
    answer: { data: 'User' },
  },
  {
    method: 'get',
    path: '/test-node-connection',
    tag: 'System',
    summary: "The engine's status: uptime, memory, counts and each session (a non-admin sees only their own)",
    answer: { data: 'EngineStatus', message: 'Node connection OK' },
  },
  {
    method: 'get',
    path: '/events',
    tag: 'Events',
    summary: "Server-sent events of the caller's events",
    description:
      'Each frame is `id: <seq>`, `event: <type>`, `data: <the event as JSON>`; a comment keeps the connection ' +
      'alive. Reconnect with `Last-Event-ID` (or `?last_event_id=`) to resume from the durable log.',
    query: {
      type: 'object',
      properties: {
        last_event_id: { type: 'integer', minimum: 0, description: 'Resume after this event (as Last-Event-ID)' },
      },
    },
    answer: {
      raw: {
        'text/event-stream': {
          type: 'string',
          examples: ['id: 42\nevent: message.status\ndata: {"type":"message.status","status":"delivered"}\n\n'],
        },
      },
    },
  },
  {
    method: 'get',
    path: '/announcements',
    tag: 'Announcements',
    public: true,
    summary: 'Active announcements whose window includes now (no token)',
    answer: { data: ['Announcement'] },
  },
  {
    method: 'get',
    path: '/announcements/:id',
    tag: 'Announcements',
    public: true,
    summary: 'One visible announcement (no token)',
    answer: { data: 'Announcement' },
  },
  {
    method: 'get',
    path: '/announcements/admin',
    tag: 'Announcements',
    admin: true,
    summary: 'Every announcement',
    query: input('page'),
    answer: { data: 'Announcement', paged: true },
  },
  {
    method: 'post',
    path: '/announcements/admin',
    tag: 'Announcements',
    admin: true,
    summary: 'Create an announcement',
    body: input('createAnnouncement'),
    example: announcementExample,
    answer: { status: 201, data: 'Announcement', message: 'Announcement created' },
  },
  {
    method: 'get',
    path: '/announcements/admin/:id',
    tag: 'Announcements',
    admin: true,
    summary: 'One announcement',
    answer: { data: 'Announcement' },
  },
  {
    method: ['put', 'patch'],
    path: '/announcements/admin/:id',
    tag: 'Announcements',
    admin: true,
    summary: 'Change an announcement',
    body: input('updateAnnouncement'),
    example: { is_active: false },
    answer: { data: 'Announcement', message: 'Announcement updated' },
  },
  {
    method: 'delete',
    path: '/announcements/admin/:id',
    tag: 'Announcements',
    admin: true,
    summary: 'Delete an announcement',
    answer: { data: null, message: 'Announcement deleted' },
  },
  {
    method: 'post',
    path: '/announcements/admin/:id/toggle',
    tag: 'Announcements',
    admin: true,
    summary: 'Flip `is_active`',
    answer: { data: 'Announcement', message: 'Announcement toggled' },
  },
  {
    method: 'get',
    path: '/webhooks',
    tag: 'Webhooks',
    summary: "The caller's webhook subscriptions",
    answer: { data: ['Webhook'] },
  },
  {
    method: 'post',
    path: '/webhooks',
    tag: 'Webhooks',
    summary: 'Subscribe a URL to events; deliveries are signed (Standard Webhooks) with the secret in this answer',
    body: input('createWebhook'),
    example: { url: 'https://example.com/kirim-hook', events: ['message.received', 'message.status'] },
    answer: { status: 201, data: 'Webhook', message: 'Webhook created; its secret is shown only now' },
  },
  {
    method: 'get',
    path: '/webhooks/:id',
    tag: 'Webhooks',
    summary: 'One webhook',
    answer: { data: 'Webhook' },
  },
  {
    method: 'delete',
    path: '/webhooks/:id',
    tag: 'Webhooks',
    summary: 'Unsubscribe',
    answer: { data: null, message: 'Webhook deleted' },
  },
  {
    method: 'get',
    path: '/webhooks/:id/deliveries',
    tag: 'Webhooks',
    summary: "A webhook's recent deliveries, with their state and attempts",
    query: input('page'),
    answer: { data: 'WebhookDelivery', paged: true },
  },
  {
    method: 'post',
    path: '/webhooks/:id/deliveries/:deliveryId/redeliver',
    tag: 'Webhooks',
    summary: 'Queue a delivery again',
    answer: { status: 202, data: 'WebhookDelivery', message: 'Delivery queued again' },
  },
];
