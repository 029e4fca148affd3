import { app } from '@azure/functions';

import { eventHubOptions, functionDefinitions, httpOptions, timerOptions } from './registry';

// The package.json "main" entry the host loads. HTTP streaming stays off: with it, a thrown
// error leaves the response hanging.
app.setup({ enableHttpStream: false });

for (const definition of functionDefinitions) {
  switch (definition.trigger) {
    case 'http':
      app.http(definition.name, httpOptions(definition));
      break;
    case 'timer':
      app.timer(definition.name, timerOptions(definition));
      break;
    case 'eventHub':
      app.eventHub(definition.name, eventHubOptions(definition));
      break;
  }
}
