import { resolveModelAsync } from '../../engine/model/resolve.js';
import type { DeviceProfile } from '../../engine/profile/schema.js';
import { cancelled } from '../cancel.js';
import type { Handler } from '../handlers.js';

/**
 * Measures the local GPU. The profiler (and with it the native WebGPU binding) loads only here. A
 * cancelled run stops between repetitions; the request then fails as cancelled rather than returning a
 * partial profile, so the editor never stores half a measurement as the device's.
 */
export const profileHandler: Handler<'profile'> = async (params, context) => {
  const model = await resolveModelAsync(params.model);
  const { profileDevice } = await import('../../engine/profile/profiler.js');
  let profile: DeviceProfile;
  try {
    profile = await profileDevice({
      quick: params.quick,
      model,
      signal: context.signal,
      onProgress: (p) => {
        if (p.state === 'measuring') {
          context.progress(p.index - 1, p.total, p.what);
          return;
        }
        context.progress(p.index, p.total, p.state === 'skipped' ? `${p.what}: skipped` : p.what);
        if (p.state === 'skipped') context.log('info', `profile: ${p.what} skipped: ${p.detail ?? ''}`);
      },
    });
  } catch (error) {
    if (context.signal.aborted) throw cancelled();
    throw error;
  }
  if (profile.cancelled || context.signal.aborted) throw cancelled();
  return profile;
};
