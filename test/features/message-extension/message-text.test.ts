import assert from 'node:assert/strict';
import { excerpt, messageText } from '../../../src/features/message-extension/message-text';

describe('message extension: the text of a Teams message', () => {
  it('drops HTML, keeps line breaks and list items, decodes entities', () => {
    const html =
      '<div><p>Hi <at id="0">Helpdesk</at>,</p><p>my phone says:<br>&quot;Profile&nbsp;removed&quot; &amp; no mail &#8211; &#x263A;</p>' +
      '<ul><li>Wi-Fi gone</li><li>VPN gone</li></ul><script>alert(1)</script></div>';
    assert.equal(
      messageText({ contentType: 'html', content: html }),
      'Hi Helpdesk,\nmy phone says:\n"Profile removed" & no mail – ☺\n• Wi-Fi gone\n• VPN gone',
    );
  });

  it('leaves plain text as it is, tidying whitespace only', () => {
    assert.equal(
      messageText({ contentType: 'text', content: '  a <b>  b\r\n\r\n\r\n\r\nc ' }),
      'a <b> b\n\nc',
    );
  });

  it('is empty for an empty or card-only message, and keeps unknown entities visible', () => {
    assert.equal(messageText(undefined), '');
    assert.equal(messageText({ contentType: 'html', content: '<attachment id="abc"></attachment>' }), '');
    assert.equal(messageText({ content: 'A &bogus; B &#0; C' }), 'A &bogus; B &#0; C');
  });

  it('cuts long text at a word, with an ellipsis', () => {
    assert.equal(excerpt('one two three four', 100), 'one two three four');
    assert.equal(excerpt('one two three four', 16), 'one two three…');
    assert.equal(excerpt('abcdefghijklmnop', 6), 'abcde…');
  });
});
