import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { keys } from "../queryKeys";

/** Start or cancel the bonus run; the run and the profile (which shows it) are read again, and
 * the mutation stays pending until they are, so the screen never shows the old state enabled. */
export function useBonusMutations() {
  const queryClient = useQueryClient();
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: keys.bonus() });
    await queryClient.invalidateQueries({ queryKey: keys.me() });
  };
  const start = useMutation({ mutationFn: () => api.bonusStart(), onSuccess: refresh });
  // Refreshed even when refused: a run that already ended is shown as ended.
  const cancel = useMutation({ mutationFn: () => api.bonusCancel(), onSettled: refresh });
  return { start, cancel };
}
