import template from '../../adaptiveCards/message.json';
import { type CardJson, renderCard } from './render';

export interface MessageView {
  title: string;
  text: string;
  style: 'default' | 'emphasis' | 'good' | 'attention' | 'warning' | 'accent';
}

/** A short card for errors and notices, e.g. the answer to a malformed or unknown card action. */
export const renderMessageCard = (view: MessageView): CardJson => renderCard(template, view);
