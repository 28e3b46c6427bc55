export {
  createBroadcastChannelTransport,
  type BroadcastChannelConstructor,
  type BroadcastChannelTransportOptions,
} from './create-broadcast-channel-transport.js'
