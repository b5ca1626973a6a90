import type { MessageRow } from '../../storage/store.js';
import { operations as op } from '../../generated/api.js';
import { twilioRoute, type TwilioRoutes } from '../../http/route.js';
import { pagingErrors, readPaging, v2010Page } from '../../http/paging.js';
import { invalidPageToken, invalidValidityPeriod, notFound } from '../../http/errors.js';
import type { Page, PageQuery } from '../../storage/store.js';
import { createMessageOp } from './operations.js';
import { createMessage, deleteMedia, deleteMessage, fetchMessage, listMessages, mediaOf, updateMessage, type MediaItem } from './messages.js';
import { messageErrors } from '../../http/errors.js';
import { mediaJson, mediaPath, messageJson } from './serialize.js';

/** /2010-04-01/Accounts/{AccountSid}/Messages: send, read, redact, cancel and delete messages. */
export function messageRoutes(routes: TwilioRoutes): void {
  const { deps } = routes;
  const keyOf = (row: MessageRow) => ({ date: row.date_created, sid: row.sid });

  twilioRoute(routes, createMessageOp, async ({ account, params }) => messageJson(await createMessage(deps, account.sid, params)), {
    errors: {
      ValidityPeriod: invalidValidityPeriod,
      MessagingServiceSid: messageErrors.invalidService,
      StatusCallback: messageErrors.invalidStatusCallback,
      MediaUrl: messageErrors.invalidMediaUrl,
    },
  });

  twilioRoute(
    routes,
    op.v2010ListMessage,
    async ({ account, params }) => {
      const request = readPaging(params);
      const result = await listMessages(deps, account.sid, params, request.query);
      const filters = {
        To: params.To,
        From: params.From,
        DateSent: params.DateSent,
        'DateSent<': params['DateSent<'],
        'DateSent>': params['DateSent>'],
      };
      const path = `/2010-04-01/Accounts/${account.sid}/Messages.json`;
      return v2010Page({ path, key: 'messages', filters, request, result, keyOf, serialize: messageJson });
    },
    { errors: pagingErrors },
  );

  twilioRoute(routes, op.v2010FetchMessage, async ({ account, path }) => messageJson(await fetchMessage(deps, account.sid, path.Sid)));

  twilioRoute(routes, op.v2010UpdateMessage, async ({ account, path, params }) => {
    return messageJson(await updateMessage(deps, account.sid, path.Sid, params));
  });

  twilioRoute(routes, op.v2010DeleteMessage, async ({ account, path }) => deleteMessage(deps, account.sid, path.Sid));

  // Media: the URLs a message was sent with, as items of its Media list (Shortroute keeps no copies).
  twilioRoute(
    routes,
    op.v2010ListMedia,
    async ({ account, path, params }) => {
      const message = await fetchMessage(deps, account.sid, path.MessageSid);
      const request = readPaging(params);
      const result = pageOfMedia(mediaOf(message), request.query);
      const listPath = `/2010-04-01/Accounts/${account.sid}/Messages/${message.sid}/Media.json`;
      return v2010Page({
        path: listPath,
        key: 'media_list',
        filters: {},
        request,
        result,
        keyOf: (item: MediaItem) => ({ date: message.date_created, sid: item.sid }),
        serialize: (item: MediaItem) => mediaJson(message, item),
      });
    },
    { errors: pagingErrors },
  );

  twilioRoute(routes, op.v2010FetchMedia, async ({ account, path }) => {
    const message = await fetchMessage(deps, account.sid, path.MessageSid);
    const item = mediaOf(message).find((m) => m.sid === path.Sid);
    if (!item) throw notFound(mediaPath(account.sid, message.sid, path.Sid));
    return mediaJson(message, item);
  });

  twilioRoute(routes, op.v2010DeleteMedia, async ({ account, path }) => deleteMedia(deps, account.sid, path.MessageSid, path.Sid));
}

/**
 * One page of a message's media, in the order the URLs were given (at most 10, kept in the
 * message). The page tokens name an item of this message: the page after or before it.
 */
function pageOfMedia(items: MediaItem[], query: PageQuery): Page<MediaItem> {
  const indexOf = (sid: string) => {
    const index = items.findIndex((item) => item.sid === sid);
    if (index < 0) throw invalidPageToken();
    return index;
  };
  if (query.before) {
    const end = indexOf(query.before.sid);
    const start = Math.max(0, end - query.size);
    return { items: items.slice(start, end), hasNext: true, hasPrevious: start > 0 };
  }
  const start = query.after ? indexOf(query.after.sid) + 1 : 0;
  return { items: items.slice(start, start + query.size), hasNext: start + query.size < items.length, hasPrevious: start > 0 };
}
